import { z } from 'zod';

export const logMetricsConfigSchema = z
  .object({
    /** Log level of metric lines; `debug` shows them only with --debug. */
    level: z.enum(['debug', 'info']).default('debug'),
  })
  .strict();

export type LogMetricsConfig = z.infer<typeof logMetricsConfigSchema>;
