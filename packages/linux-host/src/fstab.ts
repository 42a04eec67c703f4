/** One mount as a line of fstab(5) gives it. */
export interface FstabEntry {
  readonly source: string;
  readonly target: string;
  /** `none` for a bind mount. */
  readonly type: string;
  readonly options: readonly string[];
}

/**
 * fstab(5) text for `entries`, in order: each field escaped as libmount reads it back (`\040` for a
 * space, and so on), so a work directory with a space or a backslash in its path names the same path.
 */
export function fstabText(entries: readonly FstabEntry[]): string {
  return entries
    .map((e) => [e.source, e.target, e.type, e.options.length > 0 ? e.options.join(',') : 'defaults'].map(escapeField).join(' ').concat(' 0 0\n'))
    .join('');
}

function escapeField(field: string): string {
  if (field === '') throw new Error('an fstab field cannot be empty');
  return field.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}
