import { statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { InvalidInputError, type PackageSpec } from '@aminator/core';

/** The "package" of this provisioner is a script file on the baking host. */
export function parseScriptSpec(raw: string, version: string): PackageSpec {
  if (raw.startsWith('-')) throw new InvalidInputError('script', `"${raw}" looks like an option, not a file`, ['give the script as ./name.sh']);
  const path = resolve(raw);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new InvalidInputError('script', `${path} does not exist`);
  }
  if (!isFile) throw new InvalidInputError('script', `${path} is not a regular file`);
  const name = basename(path, extname(path))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!name) throw new InvalidInputError('script', `cannot make an image name from ${basename(path)}`, ['rename the script to letters, digits and dashes']);
  return { raw: path, source: 'file', name, version };
}
