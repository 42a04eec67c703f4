import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EbsDirectApi, EbsFault, sendEbsFault } from './ebs-direct.js';
import { ACTIONS } from './ec2-actions.js';
import type { DeviceStyle } from './ec2-devices.js';
import { Ec2Fault, errorXml, parseForm, responseXml } from './ec2-query.js';
import type { ImageRecord } from './ec2-records.js';
import { type Ec2Consistency, type Ec2Instance, Ec2World, GiB, newId } from './ec2-world.js';

export interface Ec2EndpointOptions {
  /** Scratch directory for volume and snapshot files and device links (default: a new temp dir). */
  readonly dir?: string;
  readonly deviceStyle?: DeviceStyle;
  readonly instance?: Partial<Ec2Instance>;
  /** Eventual consistency windows in ms (default: none, every resource visible at once). */
  readonly consistency?: Partial<Ec2Consistency>;
}

export interface SeedImage {
  readonly name: string;
  readonly ownerId: string;
  readonly ownerAlias?: string;
  /** Raw disk to use as the root snapshot. */
  readonly disk: string;
  readonly sizeGiB: number;
  readonly region?: string;
  readonly architecture?: string;
  readonly rootDeviceName?: string;
  readonly creationDate?: string;
  readonly bootMode?: string;
  readonly enaSupport?: boolean;
  /** A public image, as vendors publish them: launchable by all, its snapshot public (EBS direct will not read it). */
  readonly public?: boolean;
}

/**
 * A local EC2 endpoint for tests: the Query API over HTTP with EC2's XML and error codes, and IMDSv2,
 * in one server. Point the SDK at it with `AWS_ENDPOINT_URL_EC2` and
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT` (see `env`). Volumes and snapshots are sparse files; an
 * attached volume is loop devices behind the links an instance would show.
 */
export class Ec2TestEndpoint {
  readonly world: Ec2World;
  /** The EBS direct API on the same server (`AWS_ENDPOINT_URL_EBS`). */
  readonly ebs: EbsDirectApi;
  /** Every API call, in order: action and region. */
  readonly calls: Array<{ action: string; region: string; time: number; ids: string[]; block?: number; status?: number }> = [];
  private server: Server | undefined;
  private readonly tokens = new Set<string>();
  private readonly ownsDir: boolean;

  constructor(options: Ec2EndpointOptions = {}) {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'aminator-ec2-endpoint-'));
    this.ownsDir = options.dir === undefined;
    const instance: Ec2Instance = {
      instanceId: `i-${randomBytes(8).toString('hex').slice(0, 17)}`,
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
      accountId: '111122223333',
      ...options.instance,
    };
    this.world = new Ec2World(dir, instance, { style: options.deviceStyle ?? 'xen', devRoot: join(dir, 'dev'), byIdDir: join(dir, 'dev', 'disk', 'by-id') });
    Object.assign(this.world.consistency, options.consistency);
    this.ebs = new EbsDirectApi(this.world);
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('the EC2 test endpoint is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Environment for an SDK client (or the aminate CLI) to use this endpoint, with throwaway credentials. */
  get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_EC2: this.url,
      AWS_ENDPOINT_URL_EBS: this.url,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: this.url,
      AWS_REGION: this.world.instance.region,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_EC2_METADATA_DISABLED: 'false',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Stop serving, detach whatever is still attached, and remove the scratch files it made. */
  async stop(): Promise<void> {
    this.world.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.ownsDir) rmSync(this.world.dir, { recursive: true, force: true });
  }

  /** A base image whose root snapshot is a copy of `disk`. */
  seedImage(seed: SeedImage): ImageRecord {
    const region = seed.region ?? this.world.instance.region;
    const snapshot = this.world.addSnapshotFromFile(seed.disk, region, seed.ownerId, seed.sizeGiB);
    snapshot.public = seed.public;
    const rootDeviceName = seed.rootDeviceName ?? '/dev/xvda';
    const image: ImageRecord = {
      id: newId('ami'),
      region,
      name: seed.name,
      description: `${seed.name} (seeded)`,
      ownerId: seed.ownerId,
      ownerAlias: seed.ownerAlias,
      state: 'available',
      architecture: seed.architecture ?? 'x86_64',
      rootDeviceName,
      blockDeviceMappings: [
        {
          deviceName: rootDeviceName,
          ebs: { snapshotId: snapshot.id, volumeSize: seed.sizeGiB, deleteOnTermination: true, volumeType: 'gp3', encrypted: false },
        },
        { deviceName: '/dev/sdb', virtualName: 'ephemeral0' },
      ],
      virtualizationType: 'hvm',
      enaSupport: seed.enaSupport ?? true,
      bootMode: seed.bootMode ?? 'uefi-preferred',
      imdsSupport: 'v2.0',
      creationDate: seed.creationDate ?? new Date().toISOString(),
      tags: {},
      launchPermissions: seed.public ? [{ group: 'all' }] : [],
    };
    this.world.images.set(image.id, image);
    return image;
  }

  /** Volumes, snapshots and images that exist now and were not seeded (what a bake left behind). */
  leftovers(options: { keepImages?: readonly string[] } = {}): { volumes: string[]; snapshots: string[]; images: string[] } {
    const seeded = new Set([...this.world.snapshots.values()].filter((s) => s.volumeId === 'vol-ffffffff').map((s) => s.id));
    const keep = new Set(options.keepImages ?? []);
    const keptSnapshots = new Set(
      [...this.world.images.values()].filter((i) => keep.has(i.id)).flatMap((i) => i.blockDeviceMappings.map((m) => m.ebs?.snapshotId)),
    );
    return {
      volumes: [...this.world.volumes.values()].filter((v) => v.state !== 'deleted' && v.state !== 'deleting').map((v) => v.id),
      snapshots: [...this.world.snapshots.values()].filter((s) => !seeded.has(s.id) && !keptSnapshots.has(s.id)).map((s) => s.id),
      images: [...this.world.images.values()]
        .filter((i) => i.state !== 'deregistered' && i.ownerId === this.world.instance.accountId && !keep.has(i.id))
        .map((i) => i.id),
    };
  }

  callsOf(action: string): number {
    return this.calls.filter((c) => c.action === action).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    // The SDK's metadata client joins endpoint and path into `//latest/…`; IMDS takes either.
    const path = (req.url ?? '/').replace(/^\/+/, '/');
    if (path.startsWith('/latest/')) return this.metadata(req.method ?? 'GET', path, req, res);
    const url = new URL(path, 'http://endpoint');
    const direct = EbsDirectApi.operationOf(req.method ?? 'GET', url.pathname);
    if (direct) return this.ebsDirect(direct, url, req, raw, res);
    const body = raw.toString('utf8');
    const requestId = randomUUID();
    const params = parseForm(body);
    const action = params.get('Action') ?? '';
    const region = this.regionOf(req, 'ec2');
    const ids = [...params].filter(([key]) => /^(VolumeId|SnapshotId|ImageId)(\.\d+)?$/.test(key)).map(([, value]) => value);
    this.calls.push({ action, region, time: Date.now(), ids });
    try {
      this.injectFault(action);
      const handler = ACTIONS[action];
      if (!handler) throw new Ec2Fault('InvalidAction', `The action ${action} is not valid for this web service.`);
      const xml = responseXml(action, requestId, handler(this.world, params, region));
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' }).end(xml);
    } catch (error) {
      const fault = error instanceof Ec2Fault ? error : new Ec2Fault('InternalError', String((error as Error)?.message ?? error), 500);
      res.writeHead(fault.status, { 'content-type': 'text/xml;charset=UTF-8' }).end(errorXml(fault.code, fault.message, requestId));
    }
  }

  /** The region a request was signed for (SigV4 credential scope), else the instance's. */
  private regionOf(req: IncomingMessage, service: string): string {
    const scope = new RegExp(`Credential=[^/]+/\\d+/([a-z0-9-]+)/${service}/`).exec(req.headers.authorization ?? '');
    return scope?.[1] ?? this.world.instance.region;
  }

  private ebsDirect(operation: string, url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const region = this.regionOf(req, 'ebs');
    const id = /^\/snapshots\/(?:completion\/)?(snap-[0-9a-f]+)/.exec(url.pathname)?.[1];
    const block = /\/blocks\/(\d+)$/.exec(url.pathname)?.[1];
    const call: (typeof this.calls)[number] = {
      action: operation,
      region,
      time: Date.now(),
      ids: id ? [id] : [],
      block: block === undefined ? undefined : Number(block),
    };
    this.calls.push(call);
    res.once('finish', () => {
      call.status = res.statusCode;
    });
    try {
      try {
        this.injectFault(operation);
      } catch (fault) {
        const { code, message, status } = fault as Ec2Fault;
        throw new EbsFault(code, message, status, code === 'RequestThrottledException' ? 'ACCOUNT_THROTTLED' : undefined);
      }
      this.ebs.handle(operation, url, req, body, region, res);
    } catch (error) {
      const fault = error instanceof EbsFault ? error : new EbsFault('InternalServerException', String((error as Error)?.message ?? error), 500);
      sendEbsFault(res, fault);
    }
  }

  private injectFault(action: string): void {
    // `startAfter` counts from when the fault was armed: the first call after it is pushed.
    for (const f of this.world.faults.failNext) f.armedAt ??= this.calls.length - 1;
    const seen = (f: { startAfter?: string; armedAt?: number }): boolean => this.calls.slice(f.armedAt, -1).some((c) => c.action === f.startAfter);
    const fault = this.world.faults.failNext.find((f) => f.times > 0 && (f.action === '*' || f.action === action) && (!f.startAfter || seen(f)));
    if (!fault) return;
    fault.times--;
    throw new Ec2Fault(fault.code, fault.message ?? `injected ${fault.code}`, fault.status ?? 400);
  }

  /** IMDSv2: a token from PUT /latest/api/token is required for every GET. */
  private metadata(method: string, url: string, req: IncomingMessage, res: ServerResponse): void {
    if (method === 'PUT' && url === '/latest/api/token') {
      const token = randomBytes(24).toString('base64');
      this.tokens.add(token);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
      return;
    }
    if (!this.tokens.has(String(req.headers['x-aws-ec2-metadata-token'] ?? ''))) {
      res.writeHead(401).end();
      return;
    }
    const { instanceId, availabilityZone, region, accountId } = this.world.instance;
    const answers: Record<string, string> = {
      '/latest/meta-data/instance-id': instanceId,
      '/latest/meta-data/placement/availability-zone': availabilityZone,
      '/latest/meta-data/placement/region': region,
      '/latest/dynamic/instance-identity/document': JSON.stringify({ instanceId, availabilityZone, region, accountId, architecture: 'x86_64' }),
    };
    const answer = answers[url];
    if (answer === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export { GiB };
