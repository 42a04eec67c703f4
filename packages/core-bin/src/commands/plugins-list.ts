import { type DiscoveredPlugin, textTable } from '@aminator/core/host';
import { printJson, printLines } from '../cli/output.js';
import type { Session } from '../cli/session.js';

function describePlugin(p: DiscoveredPlugin): Record<string, unknown> {
  return {
    kind: p.kind,
    name: p.name,
    package: p.packageName,
    version: p.version,
    apiVersion: p.apiVersion,
    path: p.path,
    foundIn: p.foundIn,
    builtin: p.builtin !== undefined,
  };
}

/** `aminate plugins list`: what discovery found, without importing any plugin. */
export function pluginsList(session: Session, options: { json: boolean }): number {
  const { plugins, rejected, shadowed } = session.discovery;
  if (options.json) {
    printJson({ plugins: plugins.map(describePlugin), rejected, shadowed: shadowed.map(describePlugin), searchPaths: session.searchPaths });
    return 0;
  }
  const rows = plugins.map((p) => [p.kind, p.name, p.packageName, p.version, p.builtin ? '(built in)' : p.path]);
  printLines(textTable([['KIND', 'NAME', 'PACKAGE', 'VERSION', 'PATH'], ...rows]));
  for (const r of rejected) printLines([`rejected ${r.packageName ?? '(unnamed)'} at ${r.path}: [${r.code}] ${r.reason}`]);
  for (const s of shadowed) printLines([`shadowed ${s.packageName}@${s.version} at ${s.path} (an earlier copy wins)`]);
  if (rejected.length > 0) printLines(['run `aminate plugins doctor` for details']);
  return 0;
}
