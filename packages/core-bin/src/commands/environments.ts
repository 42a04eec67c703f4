import { PLUGIN_KINDS } from '@aminator/core/host';
import { printJson, printLines } from '../cli/output.js';
import type { Session } from '../cli/session.js';

/** `aminate environments`: the configured plugin sets, the default, and what is installed. */
export function environments(session: Session, options: { json: boolean }): number {
  const installed = new Map(session.discovery.plugins.map((p) => [`${p.kind}/${p.name}`, p.packageName]));
  const list = Object.entries(session.core.environments).map(([name, env]) => ({
    name,
    description: env.description,
    default: name === session.core.environment,
    plugins: Object.fromEntries(PLUGIN_KINDS.map((kind) => {
      const pkg = installed.get(`${kind}/${env[kind]}`);
      return [kind, { name: env[kind], installed: pkg !== undefined, package: pkg }];
    })),
  }));
  if (options.json) {
    printJson({ default: session.core.environment, environments: list });
    return 0;
  }
  for (const env of list) {
    const missing = Object.entries(env.plugins).filter(([, p]) => !p.installed).map(([kind, p]) => `${kind}/${p.name}`);
    printLines([
      `${env.default ? '*' : ' '} ${env.name}${env.description ? ` — ${env.description}` : ''}`,
      `    ${PLUGIN_KINDS.map((kind) => `${kind}=${env.plugins[kind].name}`).join(' ')}`,
      ...(missing.length > 0 ? [`    not installed: ${missing.join(', ')}`] : []),
    ]);
  }
  printLines(['(* = default; choose another with -e NAME)']);
  return 0;
}
