export interface RealCluster {
  /** The kubeconfig: contexts `flux-local` (admin certificate), `flux-local-token` (bearer token, every right), `flux-local-no-rights` (bearer token, no RBAC rule). */
  kubeconfig: string;
  server: string;
  /** The Flux controllers started (those that are built). */
  controllers: string[];
  stop(): Promise<void>;
  /** Stops kube-apiserver and starts it again on the same port; etcd and the controllers keep running. */
  restartApiServer(): Promise<void>;
}
/** Starts etcd, kube-apiserver (and the built Flux controllers) on loopback with the Flux CRDs made from our schemas. */
export function startRealCluster(options?: { kubeconfig?: string; log?: (line: string) => void }): Promise<RealCluster>;
