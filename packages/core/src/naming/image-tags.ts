import { InvalidInputError } from '../errors/usage-error.js';

const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,127}$/;
const TAG_VALUE = /^[A-Za-z0-9 _.:/=+@-]{0,256}$/;

/**
 * `--tag key=value` flags into a record. Keys and values are limited to what every cloud accepts
 * for tags; the `aws:` prefix is AWS's own.
 */
export function parseTags(items: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq === -1) throw new InvalidInputError('--tag', `"${item}" is not key=value (write "${item}=" for an empty value)`);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith('aws:')) throw new InvalidInputError('--tag', `"${key}" is not a valid tag key`);
    if (!TAG_VALUE.test(value)) throw new InvalidInputError('--tag', `the value of ${key} has characters tags cannot hold`);
    tags[key] = value;
  }
  return tags;
}
