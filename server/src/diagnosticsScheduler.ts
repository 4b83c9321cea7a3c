import { performance } from 'perf_hooks';

/**
 * When diagnostics passes run. A pass starts a moment after the edit that asked for it, so that the
 * requests sent with the edit (completion, hover) are answered first; it runs in slices that let
 * requests in between; and an edit that comes while it runs stops it (the next pass reuses what it
 * already computed).
 */
export class DiagnosticsScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, { stopped: boolean }>();
  /** Who waits for a document's diagnostics to be current: no pass due or running. */
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(
    /** The steps of a pass over a document (a step that yields `true` lets the event loop run at once), or undefined when there is nothing to do. */
    private readonly createPass: (uri: string) => Promise<Generator<boolean | void, void> | undefined>,
    private readonly log: (message: string) => void,
    /** Whether a client message arrived since last asked: the pass then lets it be handled first. */
    private readonly messageArrived: () => boolean = () => false,
    private readonly delayMs = 4,
    private readonly sliceMs = 4,
  ) {}

  /** A pass over `uri` soon; any pass over it that is running stops. */
  schedule(uri: string): void {
    const running = this.running.get(uri);
    if (running) running.stopped = true;
    if (this.timers.has(uri)) return;
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.run(uri);
      }, this.delayMs),
    );
  }

  /** The document was closed: no pass over it any more. */
  cancel(uri: string): void {
    const running = this.running.get(uri);
    if (running) running.stopped = true;
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
    this.release(uri);
  }

  /** Resolves once no pass over `uri` is due or running: what the last pass published is current. */
  settled(uri: string): Promise<void> {
    if (!this.timers.has(uri) && !this.running.has(uri)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiting.get(uri);
      if (list) list.push(resolve);
      else this.waiting.set(uri, [resolve]);
    });
  }

  private release(uri: string): void {
    if (this.timers.has(uri) || this.running.has(uri)) return;
    const list = this.waiting.get(uri);
    if (!list) return;
    this.waiting.delete(uri);
    for (const resolve of list) resolve();
  }

  private async run(uri: string): Promise<void> {
    const state = { stopped: false };
    this.running.set(uri, state);
    try {
      const steps = await this.createPass(uri);
      if (!steps) return;
      let sliceStart = performance.now();
      while (!state.stopped) {
        const step = steps.next();
        if (step.done) return;
        if (step.value === true || this.messageArrived() || performance.now() - sliceStart >= this.sliceMs) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    } catch (error) {
      this.log(`Diagnostics of ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
      if (this.running.get(uri) === state) this.running.delete(uri);
      this.release(uri);
    }
  }
}
