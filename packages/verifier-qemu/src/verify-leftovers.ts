import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRunId, type Leftover, type LeftoverContext, processStartTicks, removeDirIfPresent, removeFileIfPresent } from '@aminator/core';
import { detachLoopIfAttached, listLoops, stopProcess } from '@aminator/linux-host';

import { isVerifyFile, PID_FILE, VERIFY_DIR } from './verify-files.js';

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * What a verification of a run that is gone (`kill -9` of aminate) left: its qemu — still booting or
 * running the copy, found by the pid file and only if that pid's command line names this very
 * directory — loop devices over the boot copy, and the files. The files go in phase `volumes` (the copy
 * is a disk), ahead of core's removal of the empty work directory.
 */
export async function findVerifyLeftovers(ctx: LeftoverContext): Promise<Leftover[]> {
  const found: Leftover[] = [];
  const runs = await readdir(ctx.workRoot, { withFileTypes: true }).catch(() => []);
  const loops = await listLoops().catch(() => []);
  for (const run of runs) {
    if (!run.isDirectory() || !isRunId(run.name) || (await ctx.runs.isAlive(run.name))) continue;
    const dir = join(ctx.workRoot, run.name, VERIFY_DIR);
    const files = await readdir(dir).catch(() => undefined);
    if (!files) continue;
    const reason = `verification of run ${run.name}, which is not running`;
    const pid = Number.parseInt(await readFile(join(dir, PID_FILE), 'utf8').catch(() => ''), 10);
    if (pid > 0 && commandLine(pid).includes(`${dir}/`)) {
      const ticks = processStartTicks(pid);
      found.push({
        phase: 'processes',
        kind: 'process',
        id: String(pid),
        runId: run.name,
        reason: `qemu of the ${reason}`,
        reclaim: () => stopProcess(pid, ticks),
      });
    }
    for (const loop of loops.filter((l) => l.backFile.startsWith(`${dir}/`))) {
      found.push({
        phase: 'devices',
        kind: 'loop-device',
        id: loop.name,
        runId: run.name,
        reason: `over the boot copy of the ${reason}`,
        reclaim: () => detachLoopIfAttached(ctx.commands, loop.name),
      });
    }
    for (const name of files.filter(isVerifyFile)) {
      const path = join(dir, name);
      found.push({ phase: 'volumes', kind: 'file', id: path, runId: run.name, reason, reclaim: () => removeFileIfPresent(path) });
    }
    found.push({ phase: 'volumes', kind: 'directory', id: dir, runId: run.name, reason, reclaim: () => removeDirIfPresent(dir) });
  }
  return found;
}
