import {
  type ErrorSummary,
  isAminatorError,
  isOptionalKind,
  kindsIn,
  loadPlugin,
  pluginLabel,
  type SelectedEnvironment,
  selectEnvironment,
  selectPlugin,
  summarizeError,
  validatePluginConfig,
} from '@aminator/core/host';
import { printJson, printLines } from '../cli/output.js';
import type { Session } from '../cli/session.js';
import { type SharingHost, sharedModulesHost } from '../cli/shared-modules.js';

interface SharedCopy {
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly copies: readonly string[];
}

interface Finding {
  readonly plugin: string;
  readonly path?: string;
  readonly selected: boolean;
  readonly status: 'ok' | 'error';
  readonly error?: ErrorSummary;
}

/**
 * `aminate plugins doctor`: load every discovered plugin through every phase, check the selected
 * environment's plugins and their config. Exit 2 only when the selected environment is affected.
 */
export async function pluginsDoctor(session: Session, options: { json: boolean; environment?: string }): Promise<number> {
  const env = selectEnvironment(session.core, options.environment);
  const selected = new Set(kindsIn(env.plugins).map((kind) => `${kind}/${env.plugins[kind]}`));
  const findings: Finding[] = [];
  const host = await sharedModulesHost(session.discovery.plugins);
  for (const plugin of session.discovery.plugins) {
    const isSelected = selected.has(`${plugin.kind}/${plugin.name}`);
    try {
      const loaded = await loadPlugin(plugin, host);
      if (isSelected) validatePluginConfig(session.merged, plugin.kind, plugin.name, loaded.module.configSchema);
      findings.push({ plugin: pluginLabel(plugin), path: plugin.path, selected: isSelected, status: 'ok' });
    } catch (error) {
      findings.push({ plugin: pluginLabel(plugin), path: plugin.path, selected: isSelected, status: 'error', error: summarizeError(error) });
    }
  }
  for (const r of session.discovery.rejected) {
    findings.push({
      plugin: r.packageName ?? '(unnamed)',
      path: r.path,
      selected: false,
      status: 'error',
      error: { code: r.code, message: r.reason, suggestions: [] },
    });
  }
  findings.push(...missingSelected(session, env.plugins));
  const failing = findings.filter((f) => f.status === 'error' && f.selected);
  const exitCode = failing.length > 0 ? 2 : 0;
  const shared = (host.sharedLibraries ?? []).map(({ name, version, dir, copies }) => ({ name, version, path: dir, copies }));
  if (options.json) printJson({ environment: env.name, ok: exitCode === 0, findings, shared, sharedBy: host.sharedBy });
  else printReport(env.name, findings, shared, host.sharedBy, exitCode);
  return exitCode;
}

function missingSelected(session: Session, plugins: SelectedEnvironment['plugins']): Finding[] {
  const findings: Finding[] = [];
  for (const kind of kindsIn(plugins)) {
    try {
      selectPlugin(session.discovery, kind, plugins[kind] ?? '');
    } catch (error) {
      if (!isAminatorError(error)) throw error;
      // An optional plugin that is not installed only takes away what it adds (--verify).
      findings.push({ plugin: `${kind}/${plugins[kind]}`, selected: !isOptionalKind(kind), status: 'error', error: summarizeError(error) });
    }
  }
  return findings;
}

function printReport(
  environment: string,
  findings: readonly Finding[],
  shared: readonly SharedCopy[],
  sharedBy: SharingHost['sharedBy'],
  exitCode: number,
): void {
  for (const f of findings) {
    const mark = f.status === 'ok' ? 'ok   ' : f.selected ? 'ERROR' : 'warn ';
    printLines([`${mark} ${f.plugin}${f.selected ? ' [selected]' : ''}`]);
    if (f.error) printLines([`      ${f.error.code}: ${f.error.message}`, ...f.error.suggestions.map((s) => `      → ${s}`)]);
  }
  for (const s of shared) {
    const others = s.copies.length - 1;
    printLines([
      `lib   ${s.name} ${s.version} at ${s.path}${others > 0 ? `, shared by every plugin (in place of ${others} other cop${others === 1 ? 'y' : 'ies'})` : ''}`,
    ]);
  }
  printLines([
    sharedBy === 'hooks'
      ? 'one core, tsyringe and copy of each library for every plugin: resolution hooks hand them to plugins installed apart'
      : "one core, tsyringe and copy of each library for every plugin: Node's own resolution finds them (no hooks)",
    exitCode === 0
      ? `environment ${environment}: every selected plugin loads`
      : `environment ${environment}: selected plugins are missing or broken (see ERROR lines)`,
  ]);
}
