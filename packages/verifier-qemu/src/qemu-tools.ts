import { type HostTool, HostTools } from '@aminator/linux-host';

/** The host commands every verification boot runs; the emulator is the image's machine's (qemu-machine.ts). */
export const QEMU_TOOLS: readonly HostTool[] = [HostTools.losetup, HostTools.mount, HostTools.sfdisk];
