#!/usr/bin/env node
// How soon an EC2 bake notices each state change, and how many API calls its waits make: a bake of
// `hello` through aminate against the EC2 test endpoint with known delays, N runs. For every wait the
// lag is (first Describe call that saw the new state) − (the moment the endpoint changed it), so the
// bake's local work does not blur it. Calls are compared with fixed 1 s polling of the same wait.
// With a consistency window (ms), each new volume, snapshot and image is invisible (NotFound) for that
// long, as on real EC2; the lag is then counted from the later of the change and the moment it became
// visible, so it shows what the NotFound retries add.
// Needs root, the host tools of the quickstart and a built tree. Usage: node bench/ec2-waits.mjs [runs=3] [windowMs=0]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostDebianMirror, hostDebianSuite } from '@aminator/linux-host';
import { runCli } from '@aminator/testkit';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { debootstrapTarball, makeDiskImage, removeTreeSafely } from '@aminator/testkit/linux';
import { median } from './lib/drift.mjs';

const runs = Number(process.argv[2] ?? 3);
const windowMs = Number(process.argv[3] ?? 0);
const delays = { volumeCreate: 2_000, attach: 1_000, snapshot: 8_000, image: 4_000 };
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core-bin', 'bin', 'aminate.js');
const scratch = mkdtempSync(join(tmpdir(), 'aminator-bench-ec2-'));
const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint') });

const waits = [
  { name: 'volume available', delay: delays.volumeCreate, request: 'CreateVolume', poll: 'DescribeVolumes', state: 'available' },
  { name: 'attached', delay: delays.attach, request: 'AttachVolume', poll: 'DescribeVolumes', state: 'attached' },
  { name: 'snapshot completed', delay: delays.snapshot, request: 'CreateSnapshot', poll: 'DescribeSnapshots', state: 'completed' },
  { name: 'image available', delay: delays.image, request: 'RegisterImage', poll: 'DescribeImages', state: 'available' },
];

/** For one bake's calls: per wait, the lag after the state change and the polls it took. */
function measure(calls, transitions) {
  return waits.map((wait) => {
    const request = calls.find((c) => c.action === wait.request);
    const id = request ? transitions.find((t) => t.state === wait.state && t.at >= request.time && calls.some((c) => c.ids.includes(t.id)))?.id : undefined;
    const changed = transitions.find((t) => t.id === id && t.state === wait.state).at;
    const visible = transitions.find((t) => t.id === id && t.state === 'visible')?.at ?? 0;
    const at = Math.max(changed, visible);
    const polls = calls.filter((c) => c.action === wait.poll && c.ids.includes(id) && c.time >= request.time);
    const seen = polls.find((c) => c.time >= at);
    const pollsUntilSeen = polls.filter((c) => c.time <= seen.time).length;
    return { ...wait, lag: seen.time - at, polls: pollsUntilSeen, fixed: Math.ceil(Math.max(wait.delay, windowMs) / 1000) };
  });
}

try {
  await endpoint.start();
  Object.assign(endpoint.world.delays, delays);
  Object.assign(endpoint.world.consistency, { volume: windowMs, snapshot: windowMs, image: windowMs });
  const disk = join(scratch, 'debian.raw');
  makeDiskImage(disk, {
    sizeBytes: 2 * 1024 ** 3,
    table: 'gpt',
    fs: 'ext4',
    rootTarball: debootstrapTarball({ suite: hostDebianSuite() ?? 'bookworm', mirror: hostDebianMirror() }),
  });
  endpoint.seedImage({ name: 'bench-base', ownerId: '136693071363', disk, sizeGiB: 2 });
  const config = join(scratch, 'aminator.config.json');
  const { devRoot, byIdDir } = endpoint.world.devices;
  writeFileSync(config, JSON.stringify({ workRoot: join(scratch, 'work'), lockDir: join(scratch, 'locks'), cloud: { ec2: { devRoot, byIdDir } } }));
  const rows = [];
  for (let run = 1; run <= runs; run++) {
    const callsBefore = endpoint.calls.length;
    const transitionsBefore = endpoint.world.transitions.length;
    const started = Date.now();
    // Asynchronously: the endpoint answers from this very process.
    const result = await runCli(
      bin,
      [
        '-c',
        config,
        '-e',
        'ec2_apt_linux',
        '--json',
        'bake',
        '--base-image-name',
        'bench-base',
        '--base-image-owner',
        '136693071363',
        '--suffix',
        `bench${run}`,
        'hello',
      ],
      { env: endpoint.env },
    );
    if (result.code !== 0) throw new Error(`bake failed: ${result.stderr}${result.stdout.slice(-2000)}`);
    const calls = endpoint.calls.slice(callsBefore);
    rows.push(...measure(calls, endpoint.world.transitions.slice(transitionsBefore)).map((r) => ({ ...r, run })));
    console.log(`run ${run}: ${((Date.now() - started) / 1000).toFixed(1)} s, ${calls.length} API calls in all`);
  }
  console.log(`\nconsistency window: ${windowMs} ms`);
  console.log('\nwait                 delay   lag (median, max)   polls (median)   fixed 1 s polling');
  for (const wait of waits) {
    const mine = rows.filter((r) => r.name === wait.name);
    const lags = mine.map((r) => r.lag).sort((a, b) => a - b);
    const polls = mine.map((r) => r.polls).sort((a, b) => a - b);
    console.log(
      `${wait.name.padEnd(20)} ${String(wait.delay / 1000).padStart(3)} s   ${String(median(lags)).padStart(5)} ms, ${String(lags.at(-1)).padStart(5)} ms   ${String(median(polls)).padStart(8)}           ${mine[0].fixed}`,
    );
  }
} finally {
  await endpoint.stop();
  removeTreeSafely(scratch);
}
