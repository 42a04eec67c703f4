import type { Metrics, Tags } from '@aminator/core/internal';

/** Remembers every metric, for assertions. */
export class FakeMetrics implements Metrics {
  readonly timers: Array<{ name: string; durationMs: number; tags?: Tags }> = [];
  readonly counters: Array<{ name: string; increment: number; tags?: Tags }> = [];
  flushed = 0;

  timer(name: string, durationMs: number, tags?: Tags): void {
    this.timers.push({ name, durationMs, tags });
  }
  counter(name: string, increment = 1, tags?: Tags): void {
    this.counters.push({ name, increment, tags });
  }
  async flush(): Promise<void> {
    this.flushed += 1;
  }
}
