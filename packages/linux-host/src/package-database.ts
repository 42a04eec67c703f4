import { lstatSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AminatorError, type CommandRunner, type InventoryPackage, type PackageInventory, type StepContext } from '@aminator/core';
import { LinuxErrorCodes } from './errors.js';
import { HostTools, requireHostTools } from './host-tools.js';
import { existsInside, pathInside, readFileInside } from './safe-path.js';

/** dpkg's status file of a large server image is 2–5 MB; anything past this is not a package database. */
const STATUS_LIMIT_BYTES = 64 * 1024 * 1024;
const OS_RELEASE_LIMIT_BYTES = 64 * 1024;

// What a record must look like to enter an SBOM (Debian policy 5.6; rpm's names allow capitals and `_`).
const DEB_NAME = /^[a-z0-9][a-z0-9+.-]{0,127}$/;
const RPM_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,127}$/;
const VERSION = /^[A-Za-z0-9.+~:_^-]{1,256}$/;
const ARCH = /^[a-z0-9_-]{1,32}$/;
const OS_ID = /^[a-z0-9._-]{1,64}$/;
/** dpkg states in which a package's files are on disk; `config-files` and `not-installed` have none. */
const ON_DISK = new Set(['installed', 'unpacked', 'half-configured', 'half-installed', 'triggers-awaited', 'triggers-pending']);
/**
 * rpm's database, newest place first: Fedora ≥ 36 and RHEL 9 keep it under /usr (/var/lib/rpm is then
 * a link), older ones in /var/lib/rpm; rpm as Debian packages it (an image with Debian's dnf) in root's home.
 */
const RPM_DB_DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm', '/root/.rpmdb'];
/** The files by which each rpm database backend is recognised. */
const RPM_DB_FILES = ['rpmdb.sqlite', 'Packages', 'Packages.db'];
const RPM_FORMAT = '%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\n';

/** The image's package database could not be read as one. */
export class PackageDatabaseError extends AminatorError {
  constructor(message: string, cause?: unknown) {
    super(message, {
      code: LinuxErrorCodes.PACKAGE_DATABASE,
      cause,
      suggestions: ["the image's package database is damaged or not what its OS family keeps; inspect the base image"],
    });
  }
}

/** `ID` and `VERSION_ID` of the image's os-release (its /etc file, else the /usr/lib one), when it has a valid one. */
export function imageDistribution(root: string): PackageInventory['distribution'] {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    let text: string | undefined;
    try {
      text = readFileInside(root, path, OS_RELEASE_LIMIT_BYTES)?.toString('utf8');
    } catch {
      continue; // /etc/os-release is usually a link to the /usr/lib one
    }
    if (text === undefined) continue;
    const field = (name: string): string | undefined => new RegExp(`^${name}=["']?([^"'\\n]*)["']?$`, 'm').exec(text)?.[1];
    const id = field('ID');
    const versionId = field('VERSION_ID');
    if (!id || !OS_ID.test(id)) return undefined;
    return versionId && OS_ID.test(versionId) ? { id, versionId } : { id };
  }
  return undefined;
}

/** The packages dpkg has on disk in the image, from /var/lib/dpkg/status read on the host side. */
export function readDpkgInventory(root: string): PackageInventory {
  let status: Buffer | undefined;
  try {
    status = readFileInside(root, '/var/lib/dpkg/status', STATUS_LIMIT_BYTES);
  } catch (error) {
    throw new PackageDatabaseError(`cannot read the image's dpkg status: ${(error as Error).message}`, error);
  }
  if (status === undefined) throw new PackageDatabaseError('the image has no /var/lib/dpkg/status');
  const packages: InventoryPackage[] = [];
  let skipped = 0;
  for (const stanza of status.toString('utf8').split(/\n\s*\n/)) {
    const fields = parseControlStanza(stanza);
    if (fields.size === 0) continue;
    const state = fields.get('status')?.split(' ')[2];
    if (state === undefined || !ON_DISK.has(state)) {
      if (state === undefined || !['not-installed', 'config-files'].includes(state)) skipped++;
      continue;
    }
    const entry = debEntry(fields);
    if (entry) packages.push(entry);
    else skipped++;
  }
  return { type: 'deb', distribution: imageDistribution(root), packages: sortPackages(packages), skipped };
}

function debEntry(fields: ReadonlyMap<string, string>): InventoryPackage | undefined {
  const name = fields.get('package') ?? '';
  const version = fields.get('version') ?? '';
  const arch = fields.get('architecture') ?? '';
  if (!DEB_NAME.test(name) || !VERSION.test(version) || !ARCH.test(arch)) return undefined;
  // `Source: openssl` or `Source: openssl (3.0.11-1)` when the binary's version differs.
  const [, source = name, sourceVersion = version] =
    /^([a-z0-9][a-z0-9+.-]{0,127})(?: \(([A-Za-z0-9.+~:-]{1,256})\))?$/.exec(fields.get('source') ?? name) ?? [];
  return { name, version, arch, source, sourceVersion };
}

/** Fields of one deb822 stanza by lower-case name; continuation lines are not needed for the fields read. */
function parseControlStanza(stanza: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of stanza.split('\n')) {
    if (line === '' || line.startsWith(' ') || line.startsWith('\t')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}

/**
 * The packages rpm has in the image: the host's rpm reads a private copy of the image's database
 * (its regular files only, reached without links), so nothing rpm or SQLite opens or creates can be
 * a link the image placed; no rpm script runs for a query.
 */
export async function readRpmInventory(root: string, commands: CommandRunner, ctx: StepContext): Promise<PackageInventory> {
  requireHostTools([HostTools.rpm], { needsRoot: false });
  const dirs = RPM_DB_DIRS.filter((inside) => {
    try {
      return lstatSync(pathInside(root, inside)).isDirectory();
    } catch {
      return false; // missing, or a link: not followed
    }
  });
  if (dirs.length === 0) throw new PackageDatabaseError(`the image has no rpm database in ${RPM_DB_DIRS.join(', ')} (links are not followed)`);
  // The place that holds a database (sqlite, Berkeley DB, ndb); an empty one means no package yet.
  const dir = dirs.find((inside) => RPM_DB_FILES.some((file) => existsInside(root, `${inside}/${file}`)));
  if (dir === undefined) return { type: 'rpm', distribution: imageDistribution(root), packages: [], skipped: 0 };
  const copy = await mkdtemp(join(tmpdir(), 'aminator-rpmdb-'));
  let stdout: string;
  try {
    let total = 0;
    for (const name of await readdir(pathInside(root, dir))) {
      let content: Buffer | undefined;
      try {
        content = readFileInside(root, `${dir}/${name}`, STATUS_LIMIT_BYTES * 8);
      } catch {
        continue; // a link, a directory, a FIFO: not a file of the database
      }
      if (content === undefined) continue;
      total += content.length;
      if (total > STATUS_LIMIT_BYTES * 8) throw new PackageDatabaseError(`the image's rpm database in ${dir} is larger than ${STATUS_LIMIT_BYTES * 8} bytes`);
      await writeFile(join(copy, name), content, { mode: 0o600 });
    }
    ({ stdout } = await commands.run('rpm', ['--dbpath', copy, '--query', '--all', '--queryformat', RPM_FORMAT], {
      signal: ctx.signal,
      timeoutMs: 120_000,
    }));
  } catch (error) {
    if (error instanceof PackageDatabaseError) throw error;
    throw new PackageDatabaseError(`the host's rpm cannot read the image's database in ${dir}: ${(error as Error).message}`, error);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
  const packages: InventoryPackage[] = [];
  let skipped = 0;
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [name = '', epoch = '', version = '', release = '', arch = '', sourceRpm = '', license = ''] = line.split('\t');
    const full = `${epoch !== '0' && epoch !== '' ? `${epoch}:` : ''}${version}-${release}`;
    if (!RPM_NAME.test(name) || !/^\d{0,10}$/.test(epoch) || !VERSION.test(full) || !ARCH.test(arch)) {
      skipped++;
      continue;
    }
    // name-version-release.src.rpm: the source package's name is everything before the last two dashes.
    const [, source, sourceVersion, sourceRelease] = /^(.+)-([^-]+)-([^-]+)\.src\.rpm$/.exec(sourceRpm) ?? [];
    const sourceFull = `${epoch !== '0' && epoch !== '' ? `${epoch}:` : ''}${sourceVersion}-${sourceRelease}`;
    packages.push({
      name,
      version: full,
      arch,
      ...(source && RPM_NAME.test(source) && VERSION.test(sourceFull) ? { source, sourceVersion: sourceFull } : {}),
      ...(license && license !== '(none)' ? { license: printable(license, 512) } : {}),
    });
  }
  return { type: 'rpm', distribution: imageDistribution(root), packages: sortPackages(packages), skipped };
}

/** Free text from an image, fit to print and to store: control characters out, bounded. */
function printable(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, max);
}

function sortPackages(packages: InventoryPackage[]): InventoryPackage[] {
  return packages.sort((a, b) => (a.name === b.name ? compareText(a.arch, b.arch) : compareText(a.name, b.name)));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
