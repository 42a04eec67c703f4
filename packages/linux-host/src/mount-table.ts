import { readFileSync } from 'node:fs';

export interface MountEntry {
  readonly id: number;
  readonly parentId: number;
  readonly target: string;
  readonly fsType: string;
  readonly source: string;
}

/** `\040`-style escapes in mountinfo fields. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** This process's mount table, from /proc/self/mountinfo. */
export function readMounts(): MountEntry[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [left = '', right = ''] = line.split(' - ');
      const fields = left.split(' ');
      const [fsType = '', source = ''] = right.split(' ');
      return { id: Number(fields[0]), parentId: Number(fields[1]), target: unescapeMountField(fields[4] ?? ''), fsType, source: unescapeMountField(source) };
    });
}

/** Mount points at or below `path`, deepest (most recently stacked) first: the order to unmount them in. */
export function mountsAtOrBelow(path: string): MountEntry[] {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  return readMounts()
    .filter((m) => m.target === path || m.target.startsWith(prefix))
    .reverse();
}

export function isMountPoint(path: string): boolean {
  return readMounts().some((m) => m.target === path);
}
