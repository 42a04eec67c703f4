import { hostname, userInfo } from 'node:os';
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

/**
 * Which names the base image's tags get: `base_ami` (`base_ami_id`, `base_ami_name`) as the Python
 * Aminator wrote them on AMIs, whose users' tooling reads them; `base_image` on clouds without that past.
 */
export type BaseTagPrefix = 'base_ami' | 'base_image';

export interface StandardTagsInput {
  readonly package: { readonly name: string; readonly version: string; readonly release: string };
  readonly baseImage: { readonly id: string; readonly name: string };
  /** `--tag key=value` items; the standard tags win over a user tag of the same key. */
  readonly userTags: readonly string[];
  readonly creator?: string;
  readonly createdAt: string;
  readonly basePrefix: BaseTagPrefix;
}

/** The tags every finalizer puts on an image: appversion, the base image, creator (default user@host), creation time. */
export function standardImageTags(input: StandardTagsInput): Record<string, string> {
  const { package: pkg, baseImage, basePrefix } = input;
  return {
    ...parseTags(input.userTags),
    appversion: `${pkg.name}-${pkg.version}-${pkg.release}`,
    [`${basePrefix}_id`]: baseImage.id,
    [`${basePrefix}_name`]: baseImage.name.slice(0, 256),
    creator: input.creator ?? `${userInfo().username}@${hostname()}`,
    creation_time: input.createdAt,
  };
}
