import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors/config-error.js';
import { ErrorCodes } from '../errors/error-codes.js';
import type { ConfigLayer } from './config-layer.js';
import { DEFAULT_CONFIG } from './default-config.js';
import { isPlainObject } from './key-path.js';

export const SYSTEM_CONFIG_FILE = '/etc/aminator/config.yaml';
export const CONFIG_ENV = 'AMINATOR_CONFIG';

/** Project config names, searched from the working directory up to the project root. */
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
}

export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'aminator', 'config.yaml');
}

/** The file layers, lowest first: defaults, system, user, then project or the named file. */
export async function loadConfigFiles(options: ConfigFileOptions): Promise<ConfigLayer[]> {
  const env = options.env ?? process.env;
  const defaults: ConfigLayer = { source: 'defaults', data: structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown> };
  const named = options.configFile ?? env[CONFIG_ENV];
  const files = [options.systemFile ?? SYSTEM_CONFIG_FILE, options.userFile ?? userConfigFile(env)].filter((f) => existsSync(f));
  // Most runs have no config file at all; then the parsers need not load (a fifth of start-up time).
  if (files.length === 0 && !named && !hasProjectConfig(options.cwd)) return [defaults];
  const { cosmiconfig } = await import('cosmiconfig');
  // package.json is left out on purpose: a plugin's package.json has an "aminator" field that is its
  // manifest, not configuration.
  const explorer = cosmiconfig('aminator', { searchPlaces: PROJECT_CONFIG_PLACES, searchStrategy: 'project', cache: false });
  const layers: ConfigLayer[] = [defaults];
  for (const file of files) layers.push(await loadFile(explorer, file));
  if (named) {
    const file = resolve(options.cwd, named);
    if (!existsSync(file)) {
      throw new ConfigError(
        `config file ${file} does not exist`,
        { source: file },
        { code: ErrorCodes.CONFIG_LOAD, suggestions: ['check the path given to --config or AMINATOR_CONFIG'] },
      );
    }
    layers.push(await loadFile(explorer, file));
  } else {
    const found = await search(explorer, options.cwd);
    if (found) layers.push(found);
  }
  return layers;
}

/**
 * Whether cosmiconfig's `project` search from `cwd` could find anything: a search place in `cwd` or
 * above, up to and including the nearest directory with a package.json.
 */
function hasProjectConfig(cwd: string): boolean {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (PROJECT_CONFIG_PLACES.some((place) => existsSync(join(dir, place)))) return true;
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return false;
  }
}

type Explorer = {
  load(file: string): Promise<{ config: unknown; filepath: string } | null>;
  search(from: string): Promise<{ config: unknown; filepath: string; isEmpty?: boolean } | null>;
};

async function loadFile(explorer: Explorer, file: string): Promise<ConfigLayer> {
  let result: Awaited<ReturnType<Explorer['load']>>;
  try {
    result = await explorer.load(file);
  } catch (cause) {
    throw new ConfigError(
      `cannot read config file ${file}: ${(cause as Error).message}`,
      { source: file },
      { code: ErrorCodes.CONFIG_LOAD, cause, suggestions: ["fix the file's syntax (YAML, JSON or an ES module default-exporting an object)"] },
    );
  }
  return toLayer(file, result?.config);
}

async function search(explorer: Explorer, cwd: string): Promise<ConfigLayer | undefined> {
  let result: Awaited<ReturnType<Explorer['search']>>;
  try {
    result = await explorer.search(cwd);
  } catch (cause) {
    const file = (cause as { filepath?: string }).filepath;
    throw new ConfigError(
      `cannot read project config${file ? ` ${file}` : ''}: ${(cause as Error).message}`,
      { source: file },
      { code: ErrorCodes.CONFIG_LOAD, cause },
    );
  }
  return result ? toLayer(result.filepath, result.config) : undefined;
}

function toLayer(file: string, config: unknown): ConfigLayer {
  if (config === undefined || config === null) return { source: file, data: {} };
  if (!isPlainObject(config)) {
    throw new ConfigError(`config file ${file} must hold a mapping of keys to values`, { source: file }, { code: ErrorCodes.CONFIG_INVALID });
  }
  return { source: file, data: config };
}
