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
