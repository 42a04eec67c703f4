import { readdirSync, readFileSync, statSync } from 'node:fs';

/**
 * Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or undefined when
 * the process does not exist. A pid plus its start time names one process even when pids are reused.
 * The clock is the kernel's, so the figure is the same seen from any pid namespace.
 */
export function processStartTicks(pid: number | 'self', proc = '/proc'): number | undefined {
  try {
    const stat = readFileSync(`${proc}/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after the last ')' are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid namespace a process runs in, as the inode number of /proc/PID/ns/pid (what `readlink`
 * shows as `pid:[N]`); undefined where it cannot be read.
 */
export function pidNamespaceOf(pid: number | 'self', proc = '/proc'): number | undefined {
  try {
    return Number(statSync(`${proc}/${pid}/ns/pid`).ino);
  } catch {
    return undefined;
  }
}

/** The kernel's fixed inode number of the initial pid namespace (PROC_PID_INIT_INO), the host's own. */
export const INITIAL_PID_NAMESPACE = 0xeffffffc;

/** Who wrote a record: a pid as its own namespace numbers it, with what tells it apart from later ones. */
export interface ProcessRecord {
  readonly pid: number;
  readonly startTicks?: number;
  /** Absent in records written before namespaces were recorded: then the reader's own is assumed. */
  readonly pidNamespace?: number;
}

/** This process, as a record others can judge from any pid namespace on this kernel. */
export function thisProcess(): Required<ProcessRecord> {
  return { pid: process.pid, startTicks: processStartTicks('self') ?? 0, pidNamespace: pidNamespaceOf('self') ?? 0 };
}

/**
 * Whether the process a record names still runs. In the reader's own pid namespace the pid is looked
 * up directly; a record from another namespace (a bake in a container, read by a reaper on the node,
 * or the reverse) is looked for among the processes of that namespace, by the pid that namespace gave
 * it and its start time. A namespace with no process in sight is gone when the reader sees every
 * process (it runs in the host's initial namespace); from anywhere else it may merely be hidden, and
 * the process counts as alive: nothing is reclaimed on a guess.
 */
export function isProcessAlive(record: ProcessRecord, proc = '/proc'): boolean {
  const own = pidNamespaceOf('self', proc);
  const namespace = record.pidNamespace;
  if (typeof namespace !== 'number' || namespace === 0 || namespace === own) {
    const current = processStartTicks(record.pid, proc);
    if (current === undefined) return false;
    return record.startTicks === undefined || record.startTicks === current;
  }
  const found = findInNamespace(record, proc);
  if (found !== 'namespace-unseen') return found === 'alive';
  return own !== INITIAL_PID_NAMESPACE;
}

function findInNamespace(record: ProcessRecord, proc: string): 'alive' | 'gone' | 'namespace-unseen' {
  let seen = false;
  for (const name of listPids(proc)) {
    if (pidNamespaceOf(name, proc) !== record.pidNamespace) continue;
    seen = true;
    if (innermostPid(name, proc) !== record.pid) continue;
    const ticks = processStartTicks(name, proc);
    if (ticks !== undefined && (record.startTicks === undefined || ticks === record.startTicks)) return 'alive';
  }
  return seen ? 'gone' : 'namespace-unseen';
}

function listPids(proc: string): number[] {
  try {
    return readdirSync(proc)
      .filter((n) => /^[0-9]+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** The pid a process has in its own namespace: the last figure of `NSpid:` in /proc/PID/status. */
function innermostPid(pid: number, proc: string): number | undefined {
  try {
    const line = readFileSync(`${proc}/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('NSpid:'));
    const last = line?.trim().split(/\s+/).at(-1);
    return last === undefined ? undefined : Number(last);
  } catch {
    return undefined;
  }
}
