import { InvalidInputError } from '@aminator/core';

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `2G`, `512M`, `1073741824` → bytes; whole numbers only, binary units. */
export function parseSize(field: string, text: string | number): number {
  if (typeof text === 'number' && Number.isSafeInteger(text) && text > 0) return text;
  const match = /^(\d{1,15})([KMGT]?)(i?B)?$/i.exec(String(text).trim());
  const bytes = match ? Number(match[1]) * (UNITS[(match[2] ?? '').toUpperCase()] ?? NaN) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new InvalidInputError(field, `"${text}" is not a size (use e.g. 2G, 512M)`);
  return bytes;
}

export function formatSize(bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K'] as const) {
    const size = UNITS[unit] as number;
    if (bytes >= size && bytes % (size / 4) === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}`;
}
