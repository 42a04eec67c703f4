import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Holder {
  readonly pid: number;
  readonly command: string;
}

/** Processes with their root, working directory, executable or an open file at or below `path`. */
export function findHolders(path: string): Holder[] {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const inside = (target: string | undefined): boolean => target !== undefined && (target === path || target.startsWith(prefix));
  const holders: Holder[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const links = ['root', 'cwd', 'exe'].map((l) => link(`/proc/${name}/${l}`));
    const fds = list(`/proc/${name}/fd`).map((fd) => link(`/proc/${name}/fd/${fd}`));
    if ([...links, ...fds].some(inside)) holders.push({ pid: Number(name), command: comm(name) });
  }
  return holders;
}

function link(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function comm(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
