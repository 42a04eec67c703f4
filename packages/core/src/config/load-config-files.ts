import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors/config-error.js';
import { ErrorCodes } from '../errors/error-codes.js';
import { projectDirs } from '../trust/project-root.js';
import { PathTrust } from '../trust/trusted-path.js';
import type { ConfigLayer } from './config-layer.js';
import { DEFAULT_CONFIG } from './default-config.js';
import { isPlainObject } from './key-path.js';

export const SYSTEM_CONFIG_FILE = '/etc/aminator/config.yaml';
export const CONFIG_ENV = 'AMINATOR_CONFIG';

/** Project config names, searched from the working directory up to the project root (see projectDirs). */
export const PROJECT_CONFIG_PLACES = [
  'aminator.config.yaml',
  'aminator.config.yml',
  'aminator.config.json',
  'aminator.config.js',
  'aminator.config.mjs',
  '.aminatorrc',
  '.aminatorrc.yaml',
  '.aminatorrc.yml',
  '.aminatorrc.json',
];

export interface ConfigFileOptions {
  readonly cwd: string;
  /** `--config FILE`; else AMINATOR_CONFIG; else the project search. */
  readonly configFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Overridable for tests. */
  readonly systemFile?: string;
  readonly userFile?: string;
  /** The trust rule every file must pass before it is read; one per command. */
  readonly trust?: PathTrust;
}

export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'aminator', 'config.yaml');
}

/**
 * The file layers, lowest first: defaults, system, user, then project or the named file. Every file
 * passes the trust rule before it is read: a config can import code (`.js`, `.mjs`) and names the
 * directories plugins are imported from.
 */
export async function loadConfigFiles(options: ConfigFileOptions): Promise<ConfigLayer[]> {
  const env = options.env ?? process.env;
  const trust = options.trust ?? new PathTrust();
  const defaults: ConfigLayer = { source: 'defaults', data: structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown> };
  const named = options.configFile ?? env[CONFIG_ENV];
  const files = [options.systemFile ?? SYSTEM_CONFIG_FILE, options.userFile ?? userConfigFile(env)].filter((f) => existsSync(f));
  if (named) {
    const file = resolve(options.cwd, named);
    if (!existsSync(file)) {
      throw new ConfigError(
        `config file ${file} does not exist`,
        { source: file },
        { code: ErrorCodes.CONFIG_LOAD, suggestions: ['check the path given to --config or AMINATOR_CONFIG'] },
      );
    }
    files.push(file);
  } else {
    const project = findProjectConfig(options.cwd);
    if (project) files.push(project);
  }
  // Most runs have no config file at all; then the parsers need not load (a fifth of start-up time).
  if (files.length === 0) return [defaults];
  for (const file of files) trust.assert(file, 'config file');
  const layers: ConfigLayer[] = [defaults];
  let explorer: Explorer | undefined;
  for (const file of files) {
    // JSON needs no loader library (cosmiconfig and its parsers cost ~20 ms to load): YAML and modules do.
    if (file.endsWith('.json')) {
      layers.push(await loadJsonFile(file));
      continue;
    }
    if (!explorer) {
      const { cosmiconfig } = await import('cosmiconfig');
      // package.json is left out on purpose: a plugin's package.json has an "aminator" field that is its
      // manifest, not configuration.
      explorer = cosmiconfig('aminator', { searchPlaces: PROJECT_CONFIG_PLACES, cache: false });
    }
    layers.push(await loadFile(explorer, file));
  }
  return layers;
}

async function loadJsonFile(file: string): Promise<ConfigLayer> {
  let config: unknown;
  try {
    const text = await readFile(file, 'utf8');
    // An empty file is an empty layer, as cosmiconfig has it.
    config = text.trim() === '' ? undefined : JSON.parse(text);
  } catch (cause) {
    throw unreadable(file, cause);
  }
  return toLayer(file, config);
}

/** The project's config file: the first search place in `cwd` or above it, up to the project root. */
export function findProjectConfig(cwd: string): string | undefined {
  for (const dir of projectDirs(cwd)) {
    const place = PROJECT_CONFIG_PLACES.find((name) => existsSync(join(dir, name)));
    if (place) return join(dir, place);
  }
  return undefined;
}

type Explorer = {
  load(file: string): Promise<{ config: unknown; filepath: string } | null>;
};

async function loadFile(explorer: Explorer, file: string): Promise<ConfigLayer> {
  let result: Awaited<ReturnType<Explorer['load']>>;
  try {
    result = await explorer.load(file);
  } catch (cause) {
    throw unreadable(file, cause);
  }
  return toLayer(file, result?.config);
}

function unreadable(file: string, cause: unknown): ConfigError {
  return new ConfigError(
    `cannot read config file ${file}: ${(cause as Error).message}`,
    { source: file },
    { code: ErrorCodes.CONFIG_LOAD, cause, suggestions: ["fix the file's syntax (YAML, JSON or an ES module default-exporting an object)"] },
  );
}

function toLayer(file: string, config: unknown): ConfigLayer {
  if (config === undefined || config === null) return { source: file, data: {} };
  if (!isPlainObject(config)) {
    throw new ConfigError(`config file ${file} must hold a mapping of keys to values`, { source: file }, { code: ErrorCodes.CONFIG_INVALID });
  }
  return { source: file, data: config };
}
