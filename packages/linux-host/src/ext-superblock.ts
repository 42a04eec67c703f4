import { open } from 'node:fs/promises';

const EXT_SUPERBLOCK = 1024;
const EXT_MAGIC = 0xef53;
const EXT_INCOMPAT_64BIT = 0x80;
const EXT_COMPAT_HAS_JOURNAL = 0x4;
const EXT_INCOMPAT_JOURNAL_DEV = 0x8;
// Features ext2 and ext3 know (libblkid's rule): anything else makes the file system ext4.
const EXT2_RO_COMPAT = 0x1 | 0x2 | 0x4; // sparse_super, large_file, btree_dir
const EXT2_INCOMPAT = 0x2 | 0x10; // filetype, meta_bg
const EXT3_INCOMPAT = EXT2_INCOMPAT | 0x4; // + needs_recovery

/** What the ext2/3/4 superblock on a device says, read in-process (no blkid, no dumpe2fs). */
export interface ExtSuperblock {
  /** Blocks × block size (the high 32 bits of the block count only with the 64bit feature). */
  readonly bytes: number;
  /** s_uuid, formatted as blkid and /dev/disk/by-uuid show it. */
  readonly uuid: string;
  /** The name blkid gives it; undefined for an external journal device, which holds no files. */
  readonly type: 'ext2' | 'ext3' | 'ext4' | undefined;
}

/**
 * The ext superblock of a device, or undefined when it holds none. Read from the device itself on
 * every call: loop device names are reused, so nothing about a name may be remembered.
 */
export async function readExtSuperblock(device: string): Promise<ExtSuperblock | undefined> {
  const file = await open(device, 'r');
  try {
    const sb = Buffer.alloc(1024);
    const { bytesRead } = await file.read(sb, 0, sb.length, EXT_SUPERBLOCK);
    if (bytesRead < sb.length || sb.readUInt16LE(0x38) !== EXT_MAGIC) return undefined;
    const blockSize = 1024 * 2 ** sb.readUInt32LE(0x18);
    const high = (sb.readUInt32LE(0x60) & EXT_INCOMPAT_64BIT) !== 0 ? sb.readUInt32LE(0x150) : 0;
    const hex = sb.subarray(0x68, 0x78).toString('hex');
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return {
      bytes: (high * 2 ** 32 + sb.readUInt32LE(0x04)) * blockSize,
      uuid,
      type: extType(sb.readUInt32LE(0x5c), sb.readUInt32LE(0x60), sb.readUInt32LE(0x64)),
    };
  } finally {
    await file.close();
  }
}

function extType(compat: number, incompat: number, roCompat: number): ExtSuperblock['type'] {
  if (incompat & EXT_INCOMPAT_JOURNAL_DEV) return undefined;
  const journal = (compat & EXT_COMPAT_HAS_JOURNAL) !== 0;
  const beyond = (roCompat & ~EXT2_RO_COMPAT) !== 0 || (incompat & ~(journal ? EXT3_INCOMPAT : EXT2_INCOMPAT)) !== 0;
  if (beyond) return 'ext4';
  return journal ? 'ext3' : 'ext2';
}

/** Size of the ext2/3/4 file system on a device; undefined when there is no ext superblock. */
export async function extFileSystemBytes(device: string): Promise<number | undefined> {
  return (await readExtSuperblock(device))?.bytes;
}
