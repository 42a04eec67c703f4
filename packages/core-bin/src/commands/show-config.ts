import { selectEnvironment, valueAtPath } from '@aminator/core/host';
import { printJson, printLines } from '../cli/output.js';
import type { Session } from '../cli/session.js';

/** `aminate config`: every effective value and the layer it came from. */
export function showConfig(session: Session, options: { json: boolean; environment?: string }): number {
  const env = selectEnvironment(session.core, options.environment);
  const values = [...session.merged.sources.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, source]) => ({ key, value: valueAtPath(session.merged.value, key), source }));
  const layers = session.merged.layers.map((l) => l.source);
  if (options.json) {
    printJson({ environment: env.name, plugins: env.plugins, layers, values });
    return 0;
  }
  printLines([`# layers, lowest first: ${layers.join(' → ')}`, `# environment: ${env.name}`]);
  printLines(values.map((v) => `${v.key} = ${JSON.stringify(v.value)}    # ${v.source}`));
  return 0;
}
