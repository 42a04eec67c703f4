import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { removeFileIfPresent } from '../runtime/missing-ok.js';
import { writeNewFile } from '../runtime/own-files.js';
import { assertPrivateDirectory } from '../runtime/private-directory.js';
import { isRunId } from './run-id.js';
import { isOwnerAlive, type RunOwner, readOwnerFile, runOwnerText } from './run-owner.js';

/**
 * Every live run of this host, one file each, in a place no flag or config moves: a cleanup given
 * another --lock-dir or --work-root than a running bake's still asks here, and never takes that
 * bake for dead. Below /run, so a reboot (which ends every run) empties it.
 */
export const RUN_REGISTRY = '/run/aminator/runs';

/** Register this process as run `runId`; the returned function removes the entry. */
export async function registerRun(runId: string, registry = RUN_REGISTRY): Promise<() => Promise<void>> {
  await mkdir(registry, { recursive: true, mode: 0o700 });
  assertPrivateDirectory(registry, 'run registry');
  const file = join(registry, runId);
  // Written aside and renamed: another run's forgetDeadRuns never reads it half-written.
  await writeNewFile(`${file}.new`, runOwnerText(runId), 0o600);
  await rename(`${file}.new`, file);
  await forgetDeadRuns(registry);
  return () => removeFileIfPresent(file);
}

/** The process registered as run `runId`, if any. */
export async function registeredRun(runId: string, registry = RUN_REGISTRY): Promise<RunOwner | undefined> {
  if (!isRunId(runId)) return undefined;
  const owner = await readOwnerFile(join(registry, runId));
  return owner?.runId === runId ? owner : undefined;
}

/**
 * Remove the entries of runs whose process is gone (a kill -9). Done as each run registers, not as
 * leftovers of `aminate cleanup`: an entry holds nothing, and a dead one already reads as dead.
 */
async function forgetDeadRuns(registry: string): Promise<void> {
  for (const runId of (await readdir(registry).catch(() => [] as string[])).filter(isRunId)) {
    const owner = await registeredRun(runId, registry);
    if (!owner || !isOwnerAlive(owner)) await removeFileIfPresent(join(registry, runId));
  }
}
