import { readFileSync } from 'node:fs';
import { pollUntil, processStartTicks, TimeoutError } from '@aminator/core';
import { findHolders, type Holder } from './holders.js';

const TERM_GRACE_MS = 5000;

/**
 * SIGTERM, then SIGKILL after a grace period. `ticks` is the process's start time when it was found:
 * a pid reused since by another process is never signalled.
 */
export async function stopProcess(pid: number, ticks: number | undefined, graceMs = TERM_GRACE_MS): Promise<void> {
  const same = (): boolean => ticks !== undefined && processStartTicks(pid) === ticks && !isZombie(pid);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    if (!same()) return;
    process.kill(pid, signal);
    await gone(same, graceMs);
  }
  if (same()) throw new Error(`pid ${pid} survived SIGKILL (stuck in the kernel?)`);
}

const MAX_ROUNDS = 5;

/**
 * Stop every process with its root, working directory or an open file at or below `path` — what a
 * maintainer script or a daemon it started leaves running in a chroot when the install is cut short.
 * Looks again after each round: a process may fork while its parent is being stopped. Returns all
 * it stopped.
 */
export async function stopProcessesUnder(path: string, graceMs = TERM_GRACE_MS): Promise<Holder[]> {
  const stopped: Holder[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const holders = findHolders(path).filter((h) => h.pid !== process.pid && !isZombie(h.pid));
    if (holders.length === 0) return stopped;
    await Promise.all(holders.map((h) => stopProcess(h.pid, processStartTicks(h.pid), graceMs)));
    stopped.push(...holders);
  }
  return stopped;
}

/** A zombie has exited; only its parent's wait is missing. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Until `same()` is false or `withinMs` has passed: stopping goes on after a signal, so it takes none. */
async function gone(same: () => boolean, withinMs: number): Promise<void> {
  const stillThere = new AbortController().signal;
  await pollUntil(() => (same() ? undefined : true), {
    what: 'the process to exit',
    timeoutMs: withinMs,
    signal: stillThere,
    firstDelayMs: 50,
    maxDelayMs: 50,
  }).catch((error: unknown) => {
    if (!(error instanceof TimeoutError)) throw error;
  });
}
