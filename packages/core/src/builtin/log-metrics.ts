// Decorated classes need the Reflect metadata API before tsyringe loads, whichever entry imports them.
import { inject, injectable } from '../di/dependency-injection.js';
import type { Tags } from '../interfaces/bake-types.js';
import type { Logger } from '../interfaces/logger.js';
import type { Metrics } from '../interfaces/metrics.js';
import { LOGGER, METRICS_CONFIG } from '../tokens.js';
import type { LogMetricsConfig } from './log-metrics-config.js';

/** The default `metrics` plugin: every timer and counter becomes a log line; a summary at flush. */
@injectable()
export class LogMetrics implements Metrics {
  private readonly counters = new Map<string, number>();

  constructor(
    @inject(LOGGER) private readonly log: Logger,
    @inject(METRICS_CONFIG) private readonly config: LogMetricsConfig,
  ) {}

  timer(name: string, durationMs: number, tags?: Tags): void {
    this.write(`metric timer ${name}${formatTags(tags)} ${durationMs}ms`);
  }

  counter(name: string, increment = 1, tags?: Tags): void {
    const key = `${name}${formatTags(tags)}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + increment);
    this.write(`metric counter ${key} +${increment}`);
  }

  async flush(): Promise<void> {
    if (this.counters.size === 0) return;
    this.write(`metric totals ${[...this.counters].map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }

  private write(line: string): void {
    if (this.config.level === 'info') this.log.info(line);
    else this.log.debug(line);
  }
}

function formatTags(tags: Tags | undefined): string {
  if (!tags || Object.keys(tags).length === 0) return '';
  return `{${Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}}`;
}
