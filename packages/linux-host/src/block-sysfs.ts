import { realpathSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The sysfs directory of a block device node: named by the kernel's name for it, so a symlink
 * (`/dev/disk/by-id/…`, `/dev/xvdf` → `nvme1n1`) or a node copied under another name finds its own.
 * Throws when the node does not exist.
 */
export function blockSysfsDir(node: string): string {
  return join('/sys/class/block', basename(realpathSync(node)));
}
