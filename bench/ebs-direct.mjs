#!/usr/bin/env node
// EBS direct against the instance mode, at the EC2 test endpoint: one `ec2_apt_linux` bake of `hello`
// and two `ebsdirect_apt_linux` bakes (the first fills the cache, the second finds it), on the same
// 2 GiB Debian base (public, as vendor AMIs are), then one of `sl` on the first EBS direct AMI (layers). Reports bytes uploaded against the bytes of blocks
// that really changed (target ≤ 1.0×), blocks downloaded per bake, API calls per action, and wall time.
// The endpoint's delays stand in for AWS's (see docs/PERFORMANCE.md for where they come from).
// Needs root, the host tools of the quickstart and a built tree. Usage: node bench/ebs-direct.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { debootstrapTarball, makeDiskImage, removeTreeSafely } from '@aminator/testkit/linux';

const BLOCK = 512 * 1024;
const MiB = 1024 * 1024;
// CreateVolume and attach: seconds; a snapshot of a freshly written volume: ~3 min (aws-sdk-ruby#978),
// often past the CLI waiter's 10 min (aws-samples/copy-encrypted-ami#2); image: seconds. directComplete:
// not measured on AWS.
const delays = { volumeCreate: 5_000, attach: 5_000, snapshot: 180_000, image: 15_000, copy: 20_000, directComplete: 5_000 };
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core-bin', 'bin', 'aminate.js');
const scratch = mkdtempSync(join(tmpdir(), 'aminator-bench-ebsdirect-'));
const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint') });

function aminate(config, args) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, '-c', config, '--json', ...args], {
      env: { ...process.env, ...endpoint.env, AWS_EC2_METADATA_DISABLED: 'false', CI: 'true', AMINATOR_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
      if (code !== 0) reject(new Error(`aminate exited ${code}: ${JSON.stringify(last.error)}`));
      else resolve({ seconds: (Date.now() - started) / 1000, image: last.image });
    });
  });
}

function callsSince(mark) {
  const counts = {};
  for (const c of endpoint.calls.slice(mark)) counts[c.action] = (counts[c.action] ?? 0) + 1;
  return counts;
}

try {
  await endpoint.start();
  Object.assign(endpoint.world.delays, delays);
  const mirror = hostDebianMirror();
  if (!mirror) throw new Error('no Debian mirror in the host apt sources');
  const disk = join(scratch, 'debian.raw');
  makeDiskImage(disk, {
    sizeBytes: 2 * 1024 ** 3,
    table: 'gpt',
    fs: 'ext4',
    rootTarball: debootstrapTarball({ suite: hostDebianSuite() ?? 'bookworm', mirror }),
  });
  const owner = '136693071363';
  endpoint.seedImage({ name: 'debian-12-public', ownerId: owner, disk, sizeGiB: 2, public: true });
  const { devRoot, byIdDir } = endpoint.world.devices;
  const config = join(scratch, 'aminator.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      workRoot: join(scratch, 'work'),
      lockDir: join(scratch, 'locks'),
      cloud: {
        ec2: { devRoot, byIdDir, nodeTimeoutMs: 10_000, baseImageName: 'debian-12-public', baseImageOwner: owner, consistencyWindowMs: 0 },
        ebsdirect: { baseImageName: 'debian-12-public', baseImageOwner: owner, cacheDir: join(scratch, 'cache'), consistencyWindowMs: 0 },
      },
    }),
  );
  const rows = [];
  const made = {};
  for (const [label, environment, suffix, pkg, on] of [
    ['ec2_apt_linux', 'ec2_apt_linux', 'inst', 'hello'],
    ['ebsdirect, first bake (cache empty)', 'ebsdirect_apt_linux', 'd1', 'hello'],
    ['ebsdirect, second bake (cache warm)', 'ebsdirect_apt_linux', 'd2', 'hello'],
    ["ebsdirect, on the first bake's AMI (layered)", 'ebsdirect_apt_linux', 'd3', 'sl', 'd1'],
  ]) {
    const mark = endpoint.calls.length;
    const base = on ? ['--base-image', made[on]] : [];
    const { seconds, image } = await aminate(config, ['-e', environment, 'bake', '--suffix', suffix, ...base, pkg]);
    made[suffix] = image.id;
    const calls = callsSince(mark);
    const record = endpoint.world.images.get(image.id);
    const snapshot = endpoint.world.snapshots.get(record.blockDeviceMappings[0].ebs.snapshotId);
    let uploaded = '';
    if (snapshot.parentId) {
      const accepted = endpoint.calls.slice(mark).filter((c) => c.action === 'PutSnapshotBlock' && c.status === 201);
      const changed = endpoint.ebs.changedSince(snapshot.parentId, snapshot.id);
      uploaded = `${((accepted.length * BLOCK) / MiB).toFixed(1)} MiB / ${((changed * BLOCK) / MiB).toFixed(1)} MiB changed = ${(accepted.length / changed).toFixed(2)}×`;
    }
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    rows.push({ label, seconds, downloaded: calls.GetSnapshotBlock ?? 0, uploaded, total, calls });
  }
  console.log('| bake | wall s | blocks downloaded | uploaded / really changed | API calls |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.label} | ${r.seconds.toFixed(1)} | ${r.downloaded} | ${r.uploaded || '— (CreateSnapshot)'} | ${r.total} |`);
  for (const r of rows) console.log(`\n${r.label}: ${JSON.stringify(r.calls)}`);
} finally {
  await endpoint.stop();
  removeTreeSafely(scratch);
}
