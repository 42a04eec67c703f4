import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** EBS direct reads and writes snapshots in blocks of 512 KiB. */
export const EBS_BLOCK_BYTES = 512 * 1024;
export const BLOCKS_PER_GIB = 1024 ** 3 / EBS_BLOCK_BYTES;
const ZERO = Buffer.alloc(EBS_BLOCK_BYTES);

/** SHA-256 of a block, base64: what PutSnapshotBlock sends and GetSnapshotBlock returns. */
export function blockDigest(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}

/** The LINEAR aggregate: SHA-256 over the raw per-block digests in block-index order, base64. */
export function linearChecksum(digestsInIndexOrder: readonly string[]): string {
  const hash = createHash('sha256');
  for (const digest of digestsInIndexOrder) hash.update(Buffer.from(digest, 'base64'));
  return hash.digest('base64');
}

export function isZeroBlock(data: Buffer): boolean {
  return data.equals(ZERO.subarray(0, data.length));
}

/** A file of blocks, read and written at block offsets (bytes past the end read as zeros). */
export class BlockFile {
  private readonly fd: number;

  constructor(
    readonly path: string,
    mode: 'r' | 'r+',
  ) {
    this.fd = openSync(path, mode);
  }

  read(index: number, into: Buffer = Buffer.alloc(EBS_BLOCK_BYTES)): Buffer {
    const n = readSync(this.fd, into, 0, EBS_BLOCK_BYTES, index * EBS_BLOCK_BYTES);
    into.fill(0, n);
    return into;
  }

  write(index: number, data: Uint8Array): void {
    writeSync(this.fd, data, 0, data.length, index * EBS_BLOCK_BYTES);
  }

  close(): void {
    closeSync(this.fd);
  }
}
