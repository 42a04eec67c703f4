import type { PluginCommand } from '@aminator/core';
import { requireHostTools } from '@aminator/linux-host';
import { buildFoundation } from '../foundation/build-foundation.js';
import { foundationOptions, foundationTools } from '../foundation/foundation-options.js';
import type { LocalConfig } from '../local-config.js';
import { formatSize } from '../size.js';
import { commandStore, STORE_OPTION } from './command-store.js';

export const foundationCommand: PluginCommand<LocalConfig> = {
  name: 'foundation',
  summary: 'build a base image from nothing (debootstrap, or dnf --installroot) into the local store',
  description: [
    'Build a base image to bake on: a sparse disk (GPT with a Linux root partition, or a bare file system),',
    'Debian/Ubuntu installed with debootstrap --variant=minbase (Red Hat family with dnf --installroot from',
    '--repo), /etc/fstab by UUID, hostname and package sources; then registered in the local image store.',
    'The Debian mirror defaults to the one in this host\'s apt sources.',
    '',
    'Example: aminate foundation --suite bookworm --size 2G --name debian-12',
  ].join('\n'),
  options: [
    { flags: '--name <name>', description: 'name of the new base image (required)' },
    { flags: '--os <family>', description: 'debian or redhat', defaultValue: 'debian', choices: ['debian', 'redhat'] },
    { flags: '--suite <suite>', description: 'Debian/Ubuntu release (default: this host\'s)' },
    { flags: '--mirror <url>', description: 'Debian mirror (default: from this host\'s apt sources)' },
    { flags: '--repo <url>', description: 'Red Hat family: repository with the base packages' },
    { flags: '--releasever <version>', description: 'Red Hat family: release version' },
    { flags: '--size <size>', description: 'disk size, e.g. 2G', defaultValue: '2G' },
    { flags: '--fs <type>', description: 'root file system', defaultValue: 'ext4', choices: ['ext4', 'xfs'] },
    { flags: '--partition-table <type>', description: 'gpt (one root partition) or none (whole-disk file system)', defaultValue: 'gpt', choices: ['gpt', 'none'] },
    { flags: '--include <packages>', description: 'extra packages, comma-separated' },
    { flags: '--force', description: 'replace an image with the same name' },
    STORE_OPTION,
  ],
  async run(_args, options, ctx) {
    const parsed = foundationOptions(options);
    requireHostTools(foundationTools(parsed));
    const store = commandStore(options, ctx);
    ctx.log.info(`building ${parsed.name}: ${parsed.os} ${parsed.release}, ${formatSize(parsed.sizeBytes)} ${parsed.fs}, ${parsed.partitionTable}`);
    const image = await buildFoundation(parsed, store, ctx);
    ctx.print(image, [`registered ${image.name} (${image.id}) in ${store.dir}`]);
    return 0;
  },
};
