/**
 * Sort order for ISO 8601 UTC timestamps, newest first (images by creation time). Compared as plain
 * strings — the format orders that way — not with localeCompare, whose first call builds an ICU
 * collator (~8 ms of a command here) and whose order is the locale's, not the clock's.
 */
export function newestFirst(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
