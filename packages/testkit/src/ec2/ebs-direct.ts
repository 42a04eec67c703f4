import { createHash, randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, statSync, truncateSync, writeSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SnapshotRecord } from './ec2-records.js';
import { type Ec2World, GiB, newId } from './ec2-world.js';

/** EBS direct's block size: 512 KiB. */
export const EBS_BLOCK = 512 * 1024;
const BLOCKS_PER_GIB = GiB / EBS_BLOCK;
const MINUTE_MS = 60_000;
const ZERO = Buffer.alloc(EBS_BLOCK);

/** An EBS direct error: the REST-JSON error type, its HTTP status and a reason where the API has one. */
export class EbsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    readonly reason?: string,
  ) {
    super(message);
  }
}

const validation = (reason: string, message: string): EbsFault => new EbsFault('ValidationException', message, 400, reason);
const notFound = (id: string): EbsFault => new EbsFault('ResourceNotFoundException', `The snapshot '${id}' does not exist.`, 404, 'SNAPSHOT_NOT_FOUND');

export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/**
 * The EBS direct REST API as AWS documents it, over the endpoint's snapshot files: StartSnapshot,
 * PutSnapshotBlock, CompleteSnapshot, ListSnapshotBlocks, GetSnapshotBlock, ListChangedBlocks. 512 KiB
 * blocks with SHA-256 checked per block and as the LINEAR aggregate; a child reads through to its
 * parent; public snapshots and other accounts' are not readable; an unfinished snapshot goes to
 * `error` when its Timeout passes. Faults come from the world's `failNext` (action names as the SDK's).
 */
export class EbsDirectApi {
  /** Minutes of StartSnapshot's Timeout, in ms (tests shrink it). */
  minuteMs = MINUTE_MS;

  constructor(private readonly world: Ec2World) {}

  /** The operation a request is, or undefined when it is not EBS direct. */
  static operationOf(method: string, path: string): string | undefined {
    if (method === 'POST' && path === '/snapshots') return 'StartSnapshot';
    if (method === 'POST' && /^\/snapshots\/completion\/[^/]+$/.test(path)) return 'CompleteSnapshot';
    if (method === 'PUT' && /^\/snapshots\/[^/]+\/blocks\/\d+$/.test(path)) return 'PutSnapshotBlock';
    if (method === 'GET' && /^\/snapshots\/[^/]+\/blocks\/\d+$/.test(path)) return 'GetSnapshotBlock';
    if (method === 'GET' && /^\/snapshots\/[^/]+\/blocks$/.test(path)) return 'ListSnapshotBlocks';
    if (method === 'GET' && /^\/snapshots\/[^/]+\/changedblocks$/.test(path)) return 'ListChangedBlocks';
    return undefined;
  }

  handle(operation: string, url: URL, req: IncomingMessage, body: Buffer, region: string, res: ServerResponse): void {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    switch (operation) {
      case 'StartSnapshot':
        json(res, 201, this.start(JSON.parse(body.toString('utf8') || '{}'), region));
        return;
      case 'PutSnapshotBlock':
        this.put(parts[1] ?? '', Number(parts[3]), req, body, region, res);
        return;
      case 'CompleteSnapshot':
        json(res, 202, this.complete(parts[2] ?? '', req, region));
        return;
      case 'ListSnapshotBlocks':
        json(res, 200, this.list(parts[1] ?? '', url.searchParams, region));
        return;
      case 'GetSnapshotBlock':
        this.get(parts[1] ?? '', Number(parts[3]), url.searchParams.get('blockToken') ?? '', region, res);
        return;
      case 'ListChangedBlocks':
        json(res, 200, this.changed(parts[1] ?? '', url.searchParams, region));
        return;
      default:
        throw validation('INVALID_PARAMETER_VALUE', `unknown operation ${operation}`);
    }
  }

  /** Blocks that hold data, each with its SHA-256: what ListSnapshotBlocks lists. */
  blocksOf(snapshot: SnapshotRecord): Set<number> {
    if (snapshot.direct) {
      const parent = snapshot.parentId ? this.world.snapshots.get(snapshot.parentId) : undefined;
      return new Set([...(parent ? this.blocksOf(parent) : []), ...snapshot.direct.written.keys()]);
    }
    snapshot.blocks ??= dataBlocks(snapshot.file);
    return snapshot.blocks;
  }

  /** How many blocks of `secondId` differ from `firstId` (what ListChangedBlocks lists). */
  changedSince(firstId: string, secondId: string): number {
    const first = this.world.snapshots.get(firstId);
    const second = this.world.snapshots.get(secondId);
    if (!first || !second) throw new Error(`no snapshot ${first ? secondId : firstId}`);
    const indexes = new Set([...this.blocksOf(first), ...this.blocksOf(second)]);
    return [...indexes].filter((i) => !readBlock(first.file, i).equals(readBlock(second.file, i))).length;
  }

  private start(input: Record<string, unknown>, region: string): Record<string, unknown> {
    const sizeGiB = Number(input.VolumeSize);
    if (!Number.isInteger(sizeGiB) || sizeGiB < 1 || sizeGiB > 65_536) throw validation('INVALID_VOLUME_SIZE', 'VolumeSize must be 1 to 65536 GiB');
    const token = typeof input.ClientToken === 'string' ? input.ClientToken : undefined;
    const same = token ? [...this.world.snapshots.values()].find((s) => s.direct?.clientToken === token) : undefined;
    if (same) return startResponse(same);
    const parentId = typeof input.ParentSnapshotId === 'string' ? input.ParentSnapshotId : undefined;
    if (parentId && input.Encrypted !== undefined) throw validation('INVALID_PARAMETER_VALUE', 'Encrypted cannot be given with ParentSnapshotId');
    const parent = parentId ? this.readable(parentId, region) : undefined;
    if (parent && sizeGiB < parent.sizeGiB) throw validation('INVALID_VOLUME_SIZE', `VolumeSize ${sizeGiB} is smaller than the parent's ${parent.sizeGiB}`);
    const timeoutMinutes = input.Timeout === undefined ? 60 : Number(input.Timeout);
    if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 10 || timeoutMinutes > 4_320)
      throw validation('INVALID_PARAMETER_VALUE', 'Timeout must be 10 to 4320 minutes');
    const id = newId('snap');
    const file = parent ? this.world.copyToSnapshotFile(parent.file, id) : this.world.emptySnapshotFile(id);
    truncateSync(file, sizeGiB * GiB);
    const tags = Array.isArray(input.Tags) ? (input.Tags as Array<{ Key?: string; Value?: string }>) : [];
    const snapshot: SnapshotRecord = {
      id,
      region,
      volumeId: 'vol-ffffffff',
      sizeGiB,
      state: 'pending',
      progress: 0,
      file,
      ownerId: this.world.instance.accountId,
      description: typeof input.Description === 'string' ? input.Description : '',
      encrypted: parent?.encrypted === true || input.Encrypted === true,
      kmsKeyId: typeof input.KmsKeyArn === 'string' ? input.KmsKeyArn : parent?.kmsKeyId,
      startTime: new Date().toISOString(),
      tags: Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? ''])),
      parentId: parent?.id,
      direct: { written: new Map(), clientToken: token, deadline: Date.now() + timeoutMinutes * this.minuteMs },
    };
    this.world.snapshots.set(id, snapshot);
    this.world.created('snapshot', id);
    this.world.later(timeoutMinutes * this.minuteMs, () => {
      if (snapshot.state !== 'pending') return;
      snapshot.state = 'error';
      this.world.noteTransition(id, 'error');
    });
    return startResponse(snapshot);
  }

  private put(id: string, index: number, req: IncomingMessage, data: Buffer, region: string, res: ServerResponse): void {
    const snapshot = this.writable(id, region);
    const header = (name: string): string => String(req.headers[name.toLowerCase()] ?? '');
    if (!Number.isInteger(index) || index < 0 || index >= snapshot.sizeGiB * BLOCKS_PER_GIB)
      throw validation('INVALID_BLOCK', `block ${index} is outside the snapshot's ${snapshot.sizeGiB} GiB`);
    if (Number(header('x-amz-Data-Length')) !== EBS_BLOCK || data.length !== EBS_BLOCK)
      throw validation('INVALID_PARAMETER_VALUE', `a block is ${EBS_BLOCK} bytes; got ${data.length}`);
    if (header('x-amz-Checksum-Algorithm') !== 'SHA256') throw validation('INVALID_PARAMETER_VALUE', 'ChecksumAlgorithm must be SHA256');
    const digest = sha256(data).toString('base64');
    if (header('x-amz-Checksum') !== digest) throw validation('INVALID_BLOCK', `the checksum of block ${index} does not match its data`);
    writeBlock(snapshot.file, index, data);
    snapshot.direct?.written.set(index, digest);
    res.writeHead(201, { 'x-amz-Checksum': digest, 'x-amz-Checksum-Algorithm': 'SHA256', 'content-type': 'application/json' }).end('{}');
  }

  private complete(id: string, req: IncomingMessage, region: string): Record<string, unknown> {
    const snapshot = this.writable(id, region);
    const direct = snapshot.direct as NonNullable<SnapshotRecord['direct']>;
    const count = Number(req.headers['x-amz-changedblockscount']);
    if (count !== direct.written.size)
      throw validation('INVALID_PARAMETER_VALUE', `ChangedBlocksCount ${count} does not match the ${direct.written.size} blocks written`);
    const checksum = req.headers['x-amz-checksum'];
    if (checksum !== undefined) {
      if (req.headers['x-amz-checksum-aggregation-method'] !== 'LINEAR' || req.headers['x-amz-checksum-algorithm'] !== 'SHA256')
        throw validation('INVALID_PARAMETER_VALUE', 'the aggregate checksum must be SHA256 with the LINEAR method');
      const digests = [...direct.written.entries()].sort(([a], [b]) => a - b).map(([, d]) => Buffer.from(d, 'base64'));
      if (sha256(Buffer.concat(digests)).toString('base64') !== checksum)
        throw validation('INVALID_PARAMETER_VALUE', 'the aggregate checksum does not match the blocks written');
    }
    const blocks = this.blocksOf(snapshot);
    snapshot.direct = undefined;
    snapshot.blocks = blocks;
    this.world.later(this.world.delays.directComplete, () => {
      if (snapshot.state !== 'pending') return;
      snapshot.state = 'completed';
      snapshot.progress = 100;
      this.world.noteTransition(id, 'completed');
    });
    return { Status: 'pending' };
  }

  private list(id: string, query: URLSearchParams, region: string): Record<string, unknown> {
    const snapshot = this.readable(id, region);
    const from = Number(query.get('pageToken') ?? query.get('startingBlockIndex') ?? 0);
    const max = Math.min(Number(query.get('maxResults') ?? 10_000), 10_000);
    const all = [...this.blocksOf(snapshot)].sort((a, b) => a - b).filter((i) => i >= from);
    const page = all.slice(0, max);
    const next = all[max];
    return {
      Blocks: page.map((BlockIndex) => ({ BlockIndex, BlockToken: blockToken(snapshot.id, BlockIndex) })),
      ExpiryTime: Date.now() / 1000 + 600,
      VolumeSize: snapshot.sizeGiB,
      BlockSize: EBS_BLOCK,
      NextToken: next === undefined ? undefined : String(next),
    };
  }

  private get(id: string, index: number, token: string, region: string, res: ServerResponse): void {
    const snapshot = this.readable(id, region);
    if (token !== blockToken(snapshot.id, index) || !this.blocksOf(snapshot).has(index))
      throw validation('INVALID_BLOCK_TOKEN', `the block token does not name block ${index} of ${id}`);
    const data = readBlock(snapshot.file, index);
    res
      .writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(data.length),
        'x-amz-Data-Length': String(data.length),
        'x-amz-Checksum': sha256(data).toString('base64'),
        'x-amz-Checksum-Algorithm': 'SHA256',
      })
      .end(data);
  }

  private changed(secondId: string, query: URLSearchParams, region: string): Record<string, unknown> {
    const second = this.readable(secondId, region);
    const firstId = query.get('firstSnapshotId');
    const first = firstId ? this.readable(firstId, region) : undefined;
    if (first && !this.related(first, second)) throw validation('UNRELATED_SNAPSHOTS', `${firstId} and ${secondId} are not of one lineage`);
    const from = Number(query.get('pageToken') ?? query.get('startingBlockIndex') ?? 0);
    const max = Math.min(Number(query.get('maxResults') ?? 10_000), 10_000);
    const indexes = new Set([...(first ? this.blocksOf(first) : []), ...this.blocksOf(second)]);
    const differing = [...indexes]
      .sort((a, b) => a - b)
      .filter((i) => i >= from)
      .filter((i) => !first || !readBlock(first.file, i).equals(readBlock(second.file, i)));
    const page = differing.slice(0, max);
    const next = differing[max];
    return {
      ChangedBlocks: page.map((BlockIndex) => ({
        BlockIndex,
        FirstBlockToken: first && this.blocksOf(first).has(BlockIndex) ? blockToken(first.id, BlockIndex) : undefined,
        SecondBlockToken: this.blocksOf(second).has(BlockIndex) ? blockToken(second.id, BlockIndex) : undefined,
      })),
      ExpiryTime: Date.now() / 1000 + 600,
      VolumeSize: second.sizeGiB,
      BlockSize: EBS_BLOCK,
      NextToken: next === undefined ? undefined : String(next),
    };
  }

  private related(a: SnapshotRecord, b: SnapshotRecord): boolean {
    const lineage = (s: SnapshotRecord): string[] => [s.id, ...(s.parentId ? lineage(this.world.snapshots.get(s.parentId) ?? s) : [])];
    return lineage(b).includes(a.id) || lineage(a).includes(b.id) || a.sizeGiB === b.sizeGiB;
  }

  /** A completed snapshot of this account that is not public: what EBS direct reads. */
  private readable(id: string, region: string): SnapshotRecord {
    const snapshot = this.world.snapshots.get(id);
    if (!snapshot || snapshot.region !== region || !this.world.visible(id)) throw notFound(id);
    if (snapshot.public || snapshot.ownerId !== this.world.instance.accountId)
      throw new EbsFault(
        'AccessDeniedException',
        `You do not have access to snapshot ${id}: EBS direct reads only your own, non-public snapshots`,
        403,
        'UNAUTHORIZED_ACCOUNT',
      );
    if (snapshot.state !== 'completed') throw validation('INVALID_SNAPSHOT_ID', `snapshot ${id} is ${snapshot.state}, not completed`);
    return snapshot;
  }

  /** A snapshot started with StartSnapshot and still being written. */
  private writable(id: string, region: string): SnapshotRecord {
    const snapshot = this.world.snapshots.get(id);
    if (!snapshot || snapshot.region !== region || !this.world.visible(id)) throw notFound(id);
    if (!snapshot.direct || snapshot.state !== 'pending')
      throw validation('INVALID_SNAPSHOT_ID', `snapshot ${id} is ${snapshot.state}${snapshot.direct ? '' : ' and not being written with EBS direct'}`);
    return snapshot;
  }
}

function startResponse(s: SnapshotRecord): Record<string, unknown> {
  return {
    SnapshotId: s.id,
    OwnerId: s.ownerId,
    Status: s.state,
    StartTime: Date.parse(s.startTime) / 1000,
    VolumeSize: s.sizeGiB,
    BlockSize: EBS_BLOCK,
    Description: s.description,
    ParentSnapshotId: s.parentId,
    KmsKeyArn: s.kmsKeyId,
    SseType: s.encrypted ? 'sse-ebs' : 'none',
    Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

function blockToken(snapshotId: string, index: number): string {
  return Buffer.from(`${snapshotId}/${index}`).toString('base64');
}

function json(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() }).end(JSON.stringify(body));
}

export function sendEbsFault(res: ServerResponse, fault: EbsFault): void {
  res
    .writeHead(fault.status, { 'content-type': 'application/json', 'x-amzn-errortype': fault.type, 'x-amzn-requestid': randomUUID() })
    .end(JSON.stringify({ Message: fault.message, message: fault.message, Reason: fault.reason }));
}

function readBlock(file: string, index: number): Buffer {
  const data = Buffer.alloc(EBS_BLOCK);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, data, 0, EBS_BLOCK, index * EBS_BLOCK);
  } finally {
    closeSync(fd);
  }
  return data;
}

function writeBlock(file: string, index: number, data: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, data, 0, data.length, index * EBS_BLOCK);
  } finally {
    closeSync(fd);
  }
}

/** Indexes of the blocks of a file that are not all zero. */
function dataBlocks(file: string): Set<number> {
  const blocks = new Set<number>();
  const count = Math.ceil(statSync(file).size / EBS_BLOCK);
  const fd = openSync(file, 'r');
  const data = Buffer.alloc(EBS_BLOCK);
  try {
    for (let i = 0; i < count; i++) {
      const n = readSync(fd, data, 0, EBS_BLOCK, i * EBS_BLOCK);
      if (!data.subarray(0, n).equals(ZERO.subarray(0, n))) blocks.add(i);
    }
  } finally {
    closeSync(fd);
  }
  return blocks;
}
