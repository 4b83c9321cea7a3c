// Capped exponential backoff with jitter, shared by the watch cache's retries.

export interface BackoffOptions {
  /** First delay (default 500 ms). */
  initialMs?: number;
  /** Cap (default 30 s). */
  maxMs?: number;
  /** Multiplier (default 2). */
  factor?: number;
  /** Random part, 0..1 (default 0.3): the delay is d × (1 - jitter × random). */
  jitter?: number;
}

/** The delay before retry number `attempt` (0-based): min(max, initial × factor^attempt), less up to `jitter` of it. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(Math.max(options.jitter ?? 0.3, 0), 1);
  const base = Math.min(max, initial * factor ** Math.max(0, attempt));
  return Math.round(base * (1 - jitter * random()));
}
