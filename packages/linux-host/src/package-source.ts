import { createReadStream, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AminatorError, createExclusive, InvalidInputError, type PackageSpec, removeFileIfPresent, type StepContext } from '@aminator/core';
import { LinuxErrorCodes } from './errors.js';
import { pathInside } from './safe-path.js';

export interface SpecRules {
  /** `.deb` or `.rpm`. */
  readonly extension: string;
  /** A repository package name, with an optional version pin. */
  readonly name: RegExp;
  /** Splits a pinned spec into name and version, e.g. `=` for apt. */
  readonly pinSeparator?: string;
  readonly example: string;
}

const MAX_SPEC_LENGTH = 256;

/**
 * A package spec as given: an http(s) URL, a local file, or a repository name. Anything that could be
 * taken as an option, or has characters no package name has, is refused before anything runs.
 */
export function classifySpec(raw: string, rules: SpecRules): PackageSpec {
  if (raw.length === 0 || raw.length > MAX_SPEC_LENGTH) throw new InvalidInputError('package', `must be 1 to ${MAX_SPEC_LENGTH} characters`);
  if (raw.startsWith('-')) throw new InvalidInputError('package', `"${raw}" would be read as an option`, [`give a package name like ${rules.example}`]);
  if (/^https?:\/\//i.test(raw)) return urlSpec(raw, rules);
  if (raw.includes('/') || raw.endsWith(rules.extension)) return fileSpec(raw, rules);
  if (!rules.name.test(raw)) {
    throw new InvalidInputError('package', `"${raw}" is not a valid package name`, [
      `package names look like ${rules.example}`,
      `a local file must end in ${rules.extension}`,
    ]);
  }
  const [name, version] = rules.pinSeparator && raw.includes(rules.pinSeparator) ? raw.split(rules.pinSeparator, 2) : [raw, undefined];
  return { raw, source: 'repository', name, version };
}

function urlSpec(raw: string, rules: SpecRules): PackageSpec {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidInputError('package', `"${raw}" is not a valid URL`);
  }
  if (url.username || url.password)
    throw new InvalidInputError('package', 'URLs with credentials are refused (they would end up in logs)', [
      'serve the package without credentials, or download it first and give the file',
    ]);
  if (!url.pathname.endsWith(rules.extension)) throw new InvalidInputError('package', `the URL must name a ${rules.extension} file`);
  return { raw: url.href, source: 'url' };
}

function fileSpec(raw: string, rules: SpecRules): PackageSpec {
  if (!raw.endsWith(rules.extension)) {
    throw new InvalidInputError('package', `"${raw}" is neither a package name nor a ${rules.extension} file`, [
      `package names look like ${rules.example}`,
      `a local file must end in ${rules.extension}`,
    ]);
  }
  const path = resolve(raw);
  const info = (() => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  })();
  if (!info) throw new InvalidInputError('package', `${path} does not exist`);
  if (!info.isFile()) throw new InvalidInputError('package', `${path} is not a regular file`);
  return { raw: path, source: 'file' };
}

export interface StageOptions {
  readonly extension: string;
  readonly downloadTimeoutMs: number;
  readonly maxBytes: number;
}

/**
 * Put a file or URL package into the chroot's /tmp (never through a symlink) and return its path
 * inside the chroot; the undo removes it. Downloads verify TLS.
 */
export async function stageInChroot(spec: PackageSpec, root: string, ctx: StepContext, options: StageOptions): Promise<string> {
  const inside = `/tmp/aminator-${ctx.runId}${options.extension}`;
  const target = pathInside(root, inside);
  const remove = (): Promise<void> => removeFileIfPresent(target);
  ctx.cleanup.push({ description: `remove ${target}`, resource: { kind: 'file', id: target }, manual: [['rm', '-f', target]], undo: remove });
  if (spec.source === 'file') await pipeline(createReadStream(spec.raw), (await createPrivate(target)).createWriteStream(), { signal: ctx.signal });
  else await download(spec.raw, target, ctx, options);
  return inside;
}

/** A new file only root can read (the package may be private), never through a planted symlink. */
function createPrivate(target: string): Promise<FileHandle> {
  return createExclusive(target, 0o600);
}

async function download(url: string, target: string, ctx: StepContext, options: StageOptions): Promise<void> {
  ctx.progress(`downloading ${url}`);
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(options.downloadTimeoutMs)]);
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow' });
  } catch (cause) {
    throw new AminatorError(`cannot download ${url}: ${(cause as Error).message}`, { code: LinuxErrorCodes.DOWNLOAD_FAILED, cause });
  }
  if (!response.ok || !response.body) throw new AminatorError(`cannot download ${url}: HTTP ${response.status}`, { code: LinuxErrorCodes.DOWNLOAD_FAILED });
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > options.maxBytes)
    throw new AminatorError(`${url} is ${length} bytes, more than the ${options.maxBytes} allowed`, { code: LinuxErrorCodes.DOWNLOAD_FAILED });
  const file = await createPrivate(target);
  await pipeline(Readable.fromWeb(response.body as never), byteLimit(url, options.maxBytes), file.createWriteStream(), { signal });
}

/** Passes bytes through until more than `maxBytes` have gone by (servers may omit or lie about length). */
function byteLimit(url: string, maxBytes: number): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes) done(new AminatorError(`${url} is larger than the ${maxBytes} bytes allowed`, { code: LinuxErrorCodes.DOWNLOAD_FAILED }));
      else done(null, chunk);
    },
  });
}
