import { readFileSync } from 'node:fs';

/**
 * Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or undefined when
 * the process does not exist. A pid plus its start time names one process even when pids are reused.
 */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after the last ')' are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote a record (pid + start ticks) is still running. */
export function isProcessAlive(pid: number, startTicks?: number): boolean {
  const current = processStartTicks(pid);
  if (current === undefined) return false;
  return startTicks === undefined || startTicks === current;
}
