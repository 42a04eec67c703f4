import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { AminatorError, EXIT_USAGE, InvalidInputError } from '@aminator/core';
import { LinuxErrorCodes } from './errors.js';

/**
 * What the OS plugins' foundations share about where packages come from and how they are checked:
 * the source URL, extra package names, the keyring, and `--insecure-repo`.
 */

/** A keyring file and the package that provides it, for the error when it is missing. */
export interface KeyringChoice {
  readonly file: string;
  readonly package?: string;
}

export const INSECURE_REPO_WARNING = 'packages were installed without checking their signatures (--insecure-repo)';

/** The archive keyrings of the distributions debootstrap builds, by /etc/os-release ID. */
const ARCHIVE_KEYRINGS: Readonly<Record<string, KeyringChoice>> = {
  debian: { file: '/usr/share/keyrings/debian-archive-keyring.gpg', package: 'debian-archive-keyring' },
  ubuntu: { file: '/usr/share/keyrings/ubuntu-archive-keyring.gpg', package: 'ubuntu-keyring' },
};

/** This host's distribution's archive keyring: it signs the mirror and suite a Debian foundation defaults to. */
export function hostArchiveKeyring(osRelease = '/etc/os-release'): KeyringChoice {
  let id = 'debian';
  try {
    id = /^ID=["']?([a-z]+)["']?$/m.exec(readFileSync(osRelease, 'utf8'))?.[1] ?? id;
  } catch {
    // no os-release: Debian's keyring
  }
  return ARCHIVE_KEYRINGS[id] ?? (ARCHIVE_KEYRINGS.debian as KeyringChoice);
}

/** `--keyring`, if given: an absolute path. */
export function keyringOption(raw: unknown): KeyringChoice | undefined {
  if (raw === undefined) return undefined;
  if (!isAbsolute(String(raw))) throw new InvalidInputError('--keyring', 'give an absolute path');
  return { file: String(raw) };
}

/** The keyring the packages' signatures are checked against must be there: else E_KEYRING_MISSING, naming what provides it. */
export function requireKeyring(keyring: KeyringChoice, insecureRepo: boolean): void {
  if (insecureRepo || existsSync(keyring.file)) return;
  throw new AminatorError(`the keyring ${keyring.file} that the packages' signatures are checked against does not exist`, {
    code: LinuxErrorCodes.KEYRING_MISSING,
    exitCode: EXIT_USAGE,
    suggestions: [
      keyring.package ? `apt-get install ${keyring.package}` : 'give --keyring with the file that signs this mirror or repository',
      'or pass --insecure-repo to install unsigned packages (the image records that it was built so)',
    ],
  });
}

/** A mirror or repository: http(s) or file:///, no credentials in it. */
export function sourceUrl(raw: string, flag: string): string {
  if (!/^https?:\/\/[^\s@]+$/.test(raw) && !/^file:\/\/\/[^\s]+$/.test(raw))
    throw new InvalidInputError(flag, `"${raw}" is not an http(s) or file:/// URL without credentials`);
  return raw;
}

const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9+._-]{0,127}$/;

/** `--include a,b,c`: package names only. */
export function includedPackages(raw: unknown): string[] {
  const include = String(raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const pkg of include) if (!PACKAGE.test(pkg)) throw new InvalidInputError('--include', `"${pkg}" is not a package name`);
  return include;
}

/** A release name (`bookworm`, `9`): a word, no path. */
export function releaseName(raw: string, flag: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{0,31}$/.test(raw)) throw new InvalidInputError(flag, `"${raw}" is not a release name`);
  return raw;
}
