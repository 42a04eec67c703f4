import { open } from 'node:fs/promises';
import type { Partition } from './partition-table.js';

const SECTOR = 512;
const GPT_SIGNATURE = 'EFI PART';
const PROTECTIVE_TYPE = 0xee;
const MAX_ENTRIES_BYTES = 1024 * 1024;

/** What the first sectors say: a GPT read in full, no partition table at all, or something sfdisk should judge. */
export type GptReading = { readonly gpt: readonly Partition[] } | { readonly none: true } | { readonly ask: string };

/**
 * The GPT of a disk with 512-byte sectors (an image file, a loop device), read in-process: the
 * protective MBR, the primary header and its partition entries, each checked by its CRC32 as the
 * UEFI specification defines them. A disk with neither an MBR signature nor a GPT header has no table. Anything else — an
 * MBR table, a header or entry array that fails a check (sfdisk then reads the backup), a hybrid
 * layout — is left to sfdisk, which knows every case: this covers only the common one, exactly.
 */
export async function readGpt(device: string): Promise<GptReading> {
  // node:zlib only when a table is read: commands that read none (cleanup, plugins list) never load it.
  const { crc32 } = await import('node:zlib');
  const handle = await open(device, 'r');
  try {
    const head = Buffer.alloc(2 * SECTOR);
    if ((await handle.read(head, 0, head.length, 0)).bytesRead < head.length) return { ask: 'shorter than two sectors' };
    if (head.readUInt16LE(510) !== 0xaa55) {
      return head.toString('latin1', SECTOR, SECTOR + 8) === GPT_SIGNATURE ? { ask: 'a GPT header without a protective MBR' } : { none: true };
    }
    const records = [0, 1, 2, 3].map((i) => head.subarray(446 + 16 * i, 462 + 16 * i));
    if (!records.some((r) => r[4] === PROTECTIVE_TYPE)) return { ask: 'an MBR partition table' };
    if (records.some((r) => r[4] !== PROTECTIVE_TYPE && r[4] !== 0)) return { ask: 'a hybrid MBR' };
    const header = head.subarray(SECTOR);
    if (header.toString('latin1', 0, 8) !== GPT_SIGNATURE) return { ask: 'no GPT header in sector 1' };
    const headerSize = header.readUInt32LE(12);
    if (headerSize < 92 || headerSize > SECTOR) return { ask: `GPT header size ${headerSize}` };
    const withoutCrc = Buffer.from(header.subarray(0, headerSize));
    withoutCrc.writeUInt32LE(0, 16);
    if (crc32(withoutCrc) !== header.readUInt32LE(16)) return { ask: 'GPT header checksum mismatch' };
    if (header.readBigUInt64LE(24) !== 1n) return { ask: 'GPT header not at LBA 1' };
    const entriesLba = header.readBigUInt64LE(72);
    const count = header.readUInt32LE(80);
    const entrySize = header.readUInt32LE(84);
    if (entrySize < 128 || entrySize % 128 !== 0 || count * entrySize > MAX_ENTRIES_BYTES || entriesLba < 2n) {
      return { ask: `GPT entries: ${count} of ${entrySize} bytes at LBA ${entriesLba}` };
    }
    const entries = Buffer.alloc(count * entrySize);
    const position = Number(entriesLba) * SECTOR;
    if (!Number.isSafeInteger(position) || (await handle.read(entries, 0, entries.length, position)).bytesRead < entries.length) {
      return { ask: 'GPT entries beyond the end of the disk' };
    }
    if (crc32(entries) !== header.readUInt32LE(88)) return { ask: 'GPT entries checksum mismatch' };
    const partitions: Partition[] = [];
    for (let i = 0; i < count; i++) {
      const entry = entries.subarray(i * entrySize, (i + 1) * entrySize);
      const type = guid(entry.subarray(0, 16));
      if (type === ZERO_GUID) continue;
      const first = entry.readBigUInt64LE(32);
      const last = entry.readBigUInt64LE(40);
      if (last < first || last > BigInt(Number.MAX_SAFE_INTEGER)) return { ask: `partition ${i + 1} ends before it starts` };
      partitions.push({ number: i + 1, start: Number(first), size: Number(last - first + 1n), type });
    }
    return { gpt: partitions };
  } finally {
    await handle.close();
  }
}

const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** A GUID as written in text, upper case: its first three fields are stored little-endian. */
function guid(bytes: Buffer): string {
  const hex = (b: Buffer): string => b.toString('hex').toUpperCase();
  const le = (b: Buffer): string => hex(Buffer.from(b).reverse());
  return [le(bytes.subarray(0, 4)), le(bytes.subarray(4, 6)), le(bytes.subarray(6, 8)), hex(bytes.subarray(8, 10)), hex(bytes.subarray(10, 16))].join('-');
}
