import { PLUGIN_API_VERSION } from '../plugin/api-version.js';
import { definePlugin } from '../plugin/define-plugin.js';
import { METRICS } from '../tokens.js';
import { LogMetrics } from './log-metrics.js';
import { logMetricsConfigSchema } from './log-metrics-config.js';

/** Built into core so every environment has a metrics plugin without installing one. */
export const logMetricsPlugin = definePlugin({
  kind: 'metrics',
  name: 'log',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Logs step timers and counters (built in)',
  configSchema: logMetricsConfigSchema,
  options: [{ flag: 'metrics-level', key: 'level', type: 'string', valueName: 'debug|info', description: 'log level of metric lines (metrics/log)' }],
  register(container) {
    container.register(METRICS, { useClass: LogMetrics });
  },
});
