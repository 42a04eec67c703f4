import { type HostTool, HostTools } from '@aminator/linux-host';

/** The host commands a verification boot runs. */
export const QEMU_TOOLS: readonly HostTool[] = [
  { command: 'qemu-system-x86_64', debianPackage: 'qemu-system-x86' },
  HostTools.losetup,
  HostTools.mount,
  HostTools.sfdisk,
];
