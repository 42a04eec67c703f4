import { InvalidInputError } from '@aminator/core';

const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,127}$/;
const TAG_VALUE = /^[A-Za-z0-9 _.:/=+@-]{0,256}$/;

/** `key=value` flags into a record; keys and values limited to what clouds accept for tags. */
export function parseTags(items: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq === -1 ? item : item.slice(0, eq);
    const value = eq === -1 ? '' : item.slice(eq + 1);
    if (!TAG_KEY.test(key)) throw new InvalidInputError('--tag', `"${key}" is not a valid tag key`);
    if (!TAG_VALUE.test(value)) throw new InvalidInputError('--tag', `the value of ${key} has characters tags cannot hold`);
    tags[key] = value;
  }
  return tags;
}

/** UTC `YYYYMMDDHHmm`, the default name suffix. */
export function timestampSuffix(date = new Date()): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 12);
}
