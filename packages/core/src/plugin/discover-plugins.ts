import { closeSync, constants, type Dirent, existsSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '../errors/error-codes.js';
import { PathTrust } from '../trust/trusted-path.js';
import type { DiscoveredPlugin, DiscoveryResult, RejectedCandidate } from './discovery-types.js';
import { PLUGIN_KEYWORD, pluginManifestSchema } from './manifest-schema.js';

export interface DiscoveryInput {
  /** node_modules directories, highest priority first. */
  readonly searchPaths: readonly string[];
  /** From config: a plugin package directory, or a directory of packages. */
  readonly pluginPaths?: readonly string[];
  /** The trust rule each plugin package and configured path must pass; one per command. */
  readonly trust?: PathTrust;
}

type Candidate = { ok: DiscoveredPlugin } | { rejected: RejectedCandidate } | undefined;

/**
 * Find plugin packages: the direct (and `@scope/`) children of each search directory whose
 * package.json has the `aminator-plugin` keyword. Reads one small file per package, starts no
 * process, never descends further. A plugin package or configured path that fails the trust rule
 * throws E_UNTRUSTED_PATH: aminate runs as root, and a plugin is code it will import.
 */
export function discoverPlugins(input: DiscoveryInput): DiscoveryResult {
  const trust = input.trust ?? new PathTrust();
  const plugins: DiscoveredPlugin[] = [];
  const shadowed: DiscoveredPlugin[] = [];
  const rejected: RejectedCandidate[] = [];
  const seenPackages = new Map<string, DiscoveredPlugin>();
  const seenPaths = new Set<string>();
  const roots: Array<{ root: string; dirs: string[] }> = [
    ...(input.pluginPaths ?? []).map((p) => ({ root: p, dirs: configuredDirs(p, trust) })),
    ...input.searchPaths.map((root) => ({ root, dirs: packageDirs(root) })),
  ];
  for (const { root, dirs } of roots) {
    for (const dir of dirs) {
      const candidate = readCandidate(dir, root, seenPaths, trust);
      if (candidate === undefined) continue;
      if ('rejected' in candidate) {
        rejected.push(candidate.rejected);
        continue;
      }
      const earlier = seenPackages.get(candidate.ok.packageName);
      if (earlier) {
        shadowed.push(candidate.ok);
        continue;
      }
      seenPackages.set(candidate.ok.packageName, candidate.ok);
      plugins.push(candidate.ok);
    }
  }
  return { plugins, rejected, shadowed };
}

/** A configured plugin path is a package itself, or a folder of packages like node_modules. */
function configuredDirs(path: string, trust: PathTrust): string[] {
  if (existsSync(path)) trust.assert(path, 'plugin path');
  try {
    statSync(join(path, 'package.json'));
    return [path];
  } catch {
    return packageDirs(path);
  }
}

function packageDirs(root: string): string[] {
  const dirs: string[] = [];
  for (const entry of listDir(root)) {
    if (entry.name.startsWith('.')) continue;
    if (!entry.name.startsWith('@')) {
      if (isDirLike(entry)) dirs.push(join(root, entry.name));
      continue;
    }
    for (const scoped of listDir(join(root, entry.name))) {
      if (!scoped.name.startsWith('.') && isDirLike(scoped)) dirs.push(join(root, entry.name, scoped.name));
    }
  }
  return dirs;
}

function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isDirLike(entry: Dirent): boolean {
  return entry.isDirectory() || entry.isSymbolicLink();
}

function readCandidate(dir: string, root: string, seenPaths: Set<string>, trust: PathTrust): Candidate {
  const text = readIfMentionsKeyword(join(dir, 'package.json'));
  if (text === undefined) return undefined;
  const path = realpathSync(dir);
  if (seenPaths.has(path)) return undefined;
  seenPaths.add(path);
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    return reject(path, undefined, `package.json is not valid JSON: ${(error as Error).message}`);
  }
  const keywords = Array.isArray(pkg.keywords) ? pkg.keywords : [];
  if (!keywords.includes(PLUGIN_KEYWORD)) return undefined;
  trust.assert(join(dir, 'package.json'), 'plugin package');
  return toPlugin(pkg, path, root);
}

// Almost no package in node_modules is a plugin: its package.json is read into one reused buffer and
// searched as bytes, never decoded (~10 % less than readFileSync to a string over a
// workspace's ~700 packages). Non-blocking, so a FIFO named package.json cannot stall a run.
const PROBE = Buffer.allocUnsafe(64 * 1024);
const KEYWORD_BYTES = Buffer.from(PLUGIN_KEYWORD);
const MAX_PACKAGE_JSON = 16 * 1024 * 1024;

/** The file's text if it mentions the plugin keyword; undefined if it does not or is no readable regular file. */
function readIfMentionsKeyword(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const length = readAll(fd, PROBE, PROBE.length);
    const bytes = length < PROBE.length ? PROBE.subarray(0, length) : largeFile(fd);
    return bytes?.includes(KEYWORD_BYTES) ? bytes.toString('utf8') : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A package.json larger than the buffer is rare: read it whole if it is a regular file of a sane size. */
function largeFile(fd: number): Buffer | undefined {
  const stats = fstatSync(fd);
  if (!stats.isFile() || stats.size > MAX_PACKAGE_JSON) return undefined;
  const size = stats.size;
  const buffer = Buffer.allocUnsafe(size);
  return buffer.subarray(0, readAll(fd, buffer, size));
}

function readAll(fd: number, buffer: Buffer, size: number): number {
  let total = 0;
  for (let n = -1; total < size && n !== 0; total += n) n = readSync(fd, buffer, total, size - total, total);
  return total;
}

function toPlugin(pkg: Record<string, unknown>, path: string, root: string): Candidate {
  const packageName = typeof pkg.name === 'string' ? pkg.name : undefined;
  if (pkg.aminator === undefined) {
    return reject(path, packageName, 'has the aminator-plugin keyword but no "aminator" manifest field in package.json');
  }
  const parsed = pluginManifestSchema.safeParse(pkg.aminator);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `aminator.${i.path.join('.')}: ${i.message}`).join('; ');
    return reject(path, packageName, `invalid "aminator" manifest: ${issues}`);
  }
  if (!packageName) return reject(path, undefined, 'package.json has no "name"');
  const manifest = parsed.data;
  return {
    ok: {
      kind: manifest.kind,
      name: manifest.name,
      apiVersion: manifest.apiVersion,
      packageName,
      version: typeof pkg.version === 'string' ? pkg.version : '0.0.0',
      path,
      foundIn: root,
      manifest,
      packageJson: pkg,
    },
  };
}

function reject(path: string, packageName: string | undefined, reason: string): Candidate {
  return { rejected: { path, packageName, code: ErrorCodes.PLUGIN_MANIFEST, reason } };
}
