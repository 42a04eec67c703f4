import type { ConfigLayer } from '@aminator/core/host';

/** Core settings every run-type command takes as flags. */
export interface CoreRunFlags {
  preserveOnError?: boolean;
  workRoot?: string;
  lockDir?: string;
}

export function coreFlagLayers(flags: CoreRunFlags): ConfigLayer[] {
  const layers: ConfigLayer[] = [];
  if (flags.preserveOnError) layers.push({ source: 'flag --preserve-on-error', data: { preserveOnError: true } });
  if (flags.workRoot) layers.push({ source: 'flag --work-root', data: { workRoot: flags.workRoot } });
  if (flags.lockDir) layers.push({ source: 'flag --lock-dir', data: { lockDir: flags.lockDir } });
  return layers;
}
