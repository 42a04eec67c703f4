import { readdirSync } from 'node:fs';
import { isRunId, type Leftover, type LeftoverContext, processStartTicks } from '@aminator/core';
import { findHolders, type Holder } from './holders.js';
import { readMounts } from './mount-table.js';
import { Mounter } from './mounter.js';
import { stopProcess, stopProcessesUnder } from './process-stop.js';

const UNMOUNT_RETRY_MS = 3000;

/**
 * What dead bakes left under the work root: processes still running in (or holding files of) their
 * chroots, then their mounts, deepest first. Runs whose lock is held by a live bake are skipped.
 */
export async function findWorkRootLeftovers(ctx: LeftoverContext): Promise<Leftover[]> {
  const root = ctx.workRoot.replace(/\/+$/, '');
  const mounts = readMounts()
    .reverse()
    .flatMap((m) => {
      const runId = runOf(root, m.target);
      return runId ? [{ ...m, runId }] : [];
    });
  const runs = new Set([...runDirs(root), ...mounts.map((m) => m.runId)]);
  const dead = new Set<string>();
  for (const run of runs) if (!(await ctx.runs.isAlive(run))) dead.add(run);
  const processes = [...dead].flatMap((run) => findHolders(`${root}/${run}`).map((holder) => orphan(holder, run)));
  const mounter = new Mounter(ctx.commands);
  const unmounts = mounts
    .filter((m) => dead.has(m.runId))
    .map(
      (m): Leftover => ({
        phase: 'mounts',
        kind: 'mount',
        id: m.target,
        runId: m.runId,
        reason: `run ${m.runId} is not running (${m.fsType} from ${m.source})`,
        reclaim: async () => {
          // Children forked while their parents were being stopped would hold the mount busy.
          await stopProcessesUnder(m.target);
          await mounter.unmountTree(m.target, { retryMs: UNMOUNT_RETRY_MS });
        },
      }),
    );
  return [...processes, ...unmounts];
}

/** The run a path under the work root belongs to: `<root>/<runId>/…`. */
function runOf(root: string, path: string): string | undefined {
  if (!path.startsWith(`${root}/`)) return undefined;
  const run = path.slice(root.length + 1).split('/')[0] ?? '';
  return isRunId(run) ? run : undefined;
}

function runDirs(root: string): string[] {
  try {
    return readdirSync(root).filter(isRunId);
  } catch {
    return [];
  }
}

function orphan(holder: Holder, runId: string): Leftover {
  const ticks = processStartTicks(holder.pid);
  return {
    phase: 'processes',
    kind: 'process',
    id: String(holder.pid),
    runId,
    reason: `${holder.command} (pid ${holder.pid}) runs in the chroot of run ${runId}, which is not running`,
    reclaim: () => stopProcess(holder.pid, ticks),
  };
}
