// What the harness (test/vscode/run.ts) and the suite inside the extension host
// (test/vscode/suite/index.ts) tell each other. The suite talks to the harness over a small
// HTTP server on the loopback interface; the harness bakes its address into the suite bundle.

export interface HarnessConfig {
  /** http://127.0.0.1:PORT of the harness's control server. */
  controlUrl: string;
  /** Where the suite also writes its SuiteResult as JSON, in case the control server is gone. */
  resultFile: string;
  /** The temp copy of the fixture workspace that code-server opened. */
  workspace: string;
  /**
   * The demo cluster with the tutorial's releases (test/vscode/suiteClusters.ts): the real one
   * (kube-apiserver and the Flux controllers) when it is built, else the simulator (API test
   * server + Flux simulator); code-server gets `KUBECONFIG=kubeconfig`. Absent when the harness
   * runs without a cluster (VSCODE_TEST_NO_CLUSTER=1).
   */
  cluster?: { kubeconfig: string; kind: 'real' | 'simulated' };
  /**
   * The chart sources the workspace copy was pointed at (test/vscode/chartSources.ts), all on
   * 127.0.0.1. Absent when the harness runs without them (VSCODE_TEST_NO_CHARTS=1).
   */
  charts?: ChartSourcesConfig;
}

export interface ChartSourcesConfig {
  /** HelmRepository `bitnami`: an HTTP repository with postgresql 16.4.2 and 17.0.0 (17 renames `auth.postgresPassword`). */
  httpRepository: string;
  /** HelmRepository `grade-api-charts` (type oci): a registry with htpasswd auth, grade-api 1.0.0 and 1.2.0 (with values.schema.json). */
  ociHelmRepository: string;
  /** OCIRepository `podinfo` (the chart's own URL): an anonymous registry, podinfo 6.5.4 and 6.7.0. */
  ociRepository: string;
  /** The private registry's user; code-server is never given them: the suite enters them. */
  credentials: { username: string; password: string };
  /** Workspace-relative: a chart directory in the repository, and the HelmRelease installing it from GitRepository flux-system. */
  localChart: string;
  localRelease: string;
}

/** GET /cluster/requests: the API server's request log (the last 1000 requests, oldest first). */
export interface ClusterRequestsResponse {
  /** null on the real cluster, whose API server keeps no request log for us. */
  requests: Array<{ method: string; url: string; accept: string; contentType: string; status: number }> | null;
}

/** GET /cluster/object?resource=helmreleases&namespace=NS&name=NAME: the stored object, or 404. */

/**
 * POST /cluster/scenario body: plays one of test/cluster/demoData.ts's scenarios on a release.
 * `failingUpgrade`: every upgrade attempt fails until `recover`; `recover`: clears failures and
 * upgrades with `values`; `changeValues`: a spec change (a new generation, an upgrade).
 * Answers the object's JSON once the simulator is idle (stalls excepted) when `wait` is true.
 */
export interface ScenarioRequest {
  scenario: 'failingUpgrade' | 'recover' | 'changeValues';
  namespace: string;
  name: string;
  values: Record<string, unknown>;
  wait?: boolean;
}

export interface TestOutcome {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface SuiteResult {
  passed: number;
  failed: number;
  tests: TestOutcome[];
}

/** POST /screenshot body: the harness saves test-results/vscode-NAME.png, then answers. */
export interface ScreenshotRequest {
  name: string;
}

/** POST /log body: a line for the harness's output. */
export interface LogRequest {
  line: string;
}
