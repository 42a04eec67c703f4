import { InvalidInputError, type PluginCommandContext } from '@aminator/core';
import { LocalImageStore } from '@aminator/local-store';
import type { LocalConfig } from '../local-config.js';

/** The store a command works on: `--store DIR`, else `cloud.local.store` from config. */
export function commandStore(options: Readonly<Record<string, unknown>>, ctx: PluginCommandContext<LocalConfig>): LocalImageStore {
  const dir = typeof options.store === 'string' ? options.store : ctx.config.store;
  if (!dir.startsWith('/') || dir.split('/').includes('..')) throw new InvalidInputError('--store', `"${dir}" is not an absolute path without ".."`);
  return new LocalImageStore(dir);
}

export const STORE_OPTION = { flags: '--store <dir>', description: 'image store directory (default: cloud.local.store, /var/lib/aminator)' } as const;
