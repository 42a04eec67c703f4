import { EventBus, EXIT_INTERRUPTED, EXIT_OK, LeftoverSweep, newRunId, type SweepEntry, textTable } from '@aminator/core/internal';
import type { Command } from 'commander';
import type { Session } from '../cli/session.js';
import { abortOnSignals } from '../cli/signals.js';
import { StderrLogger } from '../cli/stderr-logger.js';
import { composeRun } from '../compose/compose-run.js';
import { type CoreRunFlags, coreFlagLayers } from '../compose/core-flag-layers.js';
import type { EnvironmentPlugins } from '../compose/load-environment.js';
import { type FlagBinding, pluginFlagLayers } from '../compose/plugin-flags.js';

export interface CleanupCommandInput {
  readonly session: Session;
  readonly plugins: EnvironmentPlugins;
  readonly bindings: readonly FlagBinding[];
  readonly command: Command;
}

interface CleanupFlags extends CoreRunFlags {
  dryRun?: boolean;
  expired?: boolean;
  json?: boolean;
  debug?: boolean;
}

const EXIT_RECLAIM_FAILED = 1;

/** `aminate cleanup`: sweep, print each leftover as it is handled, then a summary. */
export async function cleanup(input: CleanupCommandInput): Promise<number> {
  const flags = input.command.optsWithGlobals<CleanupFlags>();
  const json = flags.json === true;
  const log = new StderrLogger(flags.debug === true);
  const events = new EventBus();
  events.subscribe((event) => {
    if (event.type === 'log') log[event.level](event.message);
  });
  const flagLayers = [...coreFlagLayers(flags), ...pluginFlagLayers(input.command, input.bindings)];
  // The verifier (when installed) takes part: a killed verification leaves its qemu running.
  const verify = input.plugins.verifier ? { keepUnverified: false } : undefined;
  const { container } = await composeRun({ session: input.session, plugins: input.plugins, flagLayers, events, runId: newRunId(), failpoints: [], verify });
  const controller = new AbortController();
  const removeHandlers = abortOnSignals(controller, (m) => log.warn(m), { what: 'cleanup' });
  try {
    const dryRun = flags.dryRun === true;
    const entries = await container.resolve(LeftoverSweep).sweep({
      dryRun,
      expired: flags.expired === true,
      signal: controller.signal,
      onEntry: (entry) => {
        if (json) process.stdout.write(`${JSON.stringify({ type: 'leftover', ...entry })}\n`);
      },
    });
    const failed = entries.filter((e) => e.status === 'failed').length;
    const status = controller.signal.aborted ? 'interrupted' : failed > 0 ? 'failed' : dryRun ? 'planned' : 'succeeded';
    if (json)
      process.stdout.write(`${JSON.stringify({ type: 'result', status, dryRun, found: entries.length, reclaimed: entries.length - failed, failed })}\n`);
    else printSummary(entries, dryRun);
    return status === 'interrupted' ? EXIT_INTERRUPTED : failed > 0 ? EXIT_RECLAIM_FAILED : EXIT_OK;
  } finally {
    removeHandlers();
    await container.dispose();
  }
}

function printSummary(entries: readonly SweepEntry[], dryRun: boolean): void {
  if (entries.length === 0) {
    process.stdout.write('nothing to clean up: no leftovers of dead bakes found\n');
    return;
  }
  const rows = entries.map((e) => [dryRun ? 'would reclaim' : e.status, e.kind, e.id, e.error ? `${e.error.code}: ${e.error.message}` : e.reason]);
  process.stdout.write(`${textTable([['STATUS', 'KIND', 'ID', 'WHY'], ...rows]).join('\n')}\n`);
  const failed = entries.filter((e) => e.status === 'failed');
  if (dryRun) process.stdout.write(`${entries.length} leftover(s) found; run \`aminate cleanup\` without --dry-run to reclaim them\n`);
  else
    process.stdout.write(
      `${entries.length - failed.length} of ${entries.length} leftover(s) reclaimed${failed.length > 0 ? `; ${failed.length} failed — see WHY, fix, and run \`aminate cleanup\` again` : ''}\n`,
    );
}
