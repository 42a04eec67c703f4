import { join } from 'node:path';
import { removeFileIfPresent } from '../runtime/missing-ok.js';
import { readFileNoFollow, writeNewFile } from '../runtime/own-files.js';
import { processStartTicks } from '../runtime/process-start.js';

/**
 * `<workDir>/.owner`: the pid and start time of the process a work directory belongs to. The run
 * lock says the same; this copy travels with the work directory, so a cleanup looking at another
 * lock directory still never mistakes a live bake's mounts for leftovers.
 */
export const RUN_OWNER_FILE = '.owner';

export interface RunOwner {
  readonly pid: number;
  readonly startTicks?: number;
  readonly runId: string;
}

export async function writeRunOwner(workDir: string, runId: string): Promise<void> {
  const owner: RunOwner = { pid: process.pid, startTicks: processStartTicks(process.pid), runId };
  await writeNewFile(join(workDir, RUN_OWNER_FILE), `${JSON.stringify(owner)}\n`, 0o600);
}

export async function readRunOwner(workDir: string): Promise<RunOwner | undefined> {
  try {
    const owner = JSON.parse(await readFileNoFollow(join(workDir, RUN_OWNER_FILE))) as Partial<RunOwner>;
    return typeof owner.pid === 'number' && typeof owner.runId === 'string' ? (owner as RunOwner) : undefined;
  } catch {
    return undefined;
  }
}

export async function removeRunOwner(workDir: string): Promise<void> {
  await removeFileIfPresent(join(workDir, RUN_OWNER_FILE));
}
