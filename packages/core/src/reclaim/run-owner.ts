import { join } from 'node:path';
import { removeFileIfPresent } from '../runtime/missing-ok.js';
import { readFileNoFollow, writeNewFile } from '../runtime/own-files.js';
import { isProcessAlive, type ProcessRecord, thisProcess } from '../runtime/process-start.js';
import { containerId } from './container-id.js';

/**
 * `<workDir>/.owner`: the pid, pid namespace and start time of the process a work directory belongs to. The run
 * lock says the same; this copy travels with the work directory, so a cleanup looking at another
 * lock directory still never mistakes a live bake's mounts for leftovers.
 */
export const RUN_OWNER_FILE = '.owner';

export interface RunOwner extends ProcessRecord {
  readonly runId: string;
  /** The container the run was in, where its cgroup names one: said in a reaper's reasons. */
  readonly container?: string;
}

/**
 * The one format of a file that says which process a run is: this process as run `runId`, as a
 * line of JSON. The work directory's owner file, the run registry and the EBS direct cache's in-use
 * marks all write it, and read it back with readOwnerFile.
 */
export function runOwnerText(runId: string): string {
  const container = containerId();
  const owner: RunOwner = { ...thisProcess(), runId, ...(container ? { container } : {}) };
  return `${JSON.stringify(owner)}\n`;
}

/** The owner a file of runOwnerText names, or undefined when it is missing, a symlink or not one. */
export async function readOwnerFile(path: string): Promise<RunOwner | undefined> {
  try {
    const owner = JSON.parse(await readFileNoFollow(path)) as Partial<RunOwner>;
    return typeof owner.pid === 'number' && typeof owner.runId === 'string' ? (owner as RunOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process an owner file names still runs (its start time tells a reused pid apart). */
export function isOwnerAlive(owner: RunOwner): boolean {
  return isProcessAlive(owner);
}

export async function writeRunOwner(workDir: string, runId: string): Promise<void> {
  await writeNewFile(join(workDir, RUN_OWNER_FILE), runOwnerText(runId), 0o600);
}

export function readRunOwner(workDir: string): Promise<RunOwner | undefined> {
  return readOwnerFile(join(workDir, RUN_OWNER_FILE));
}

export async function removeRunOwner(workDir: string): Promise<void> {
  await removeFileIfPresent(join(workDir, RUN_OWNER_FILE));
}
