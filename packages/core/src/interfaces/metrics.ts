import type { Tags } from './bake-types.js';

/** kind `metrics`: where step timers and counters go (logs, StatsD, CloudWatch, …). */
export interface Metrics {
  timer(name: string, durationMs: number, tags?: Tags): void;
  counter(name: string, increment?: number, tags?: Tags): void;
  /** Called once at the end of a run, also after failures. */
  flush(): Promise<void>;
}
