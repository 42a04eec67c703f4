#!/usr/bin/env node
// N local bakes at once on one host, with /dev/sdf … /dev/sdp present (as on a host whose own disks
// have those names): a loop-device cloud locks no device name, so neither the number of slots (11)
// nor the host's disks limit it. Prints each bake's result and the wall time; exits 1 if any failed.
// Needs root and the host tools of the quickstart. The base image is built once into the bench store
// (AMINATOR_BENCH_STORE, default /var/tmp/aminator-bench-store), shared with bench/local-bake.mjs.
// Usage: node bench/parallel-local.mjs [bakes=20] [package=hello]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@aminator/testkit';
import { ensureBenchBase } from './lib/bench-base.mjs';
import { removeScratch } from './lib/scratch.mjs';

const bakes = Number(process.argv[2] ?? 20);
const pkg = process.argv[3] ?? 'hello';
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'packages', 'core-bin', 'bin', 'aminate.js');
const store = process.env.AMINATOR_BENCH_STORE ?? '/var/tmp/aminator-bench-store';
const scratch = mkdtempSync(join(tmpdir(), 'aminator-bench-parallel-'));
const config = join(scratch, 'aminator.config.json');
writeFileSync(config, JSON.stringify({ workRoot: join(scratch, 'work'), lockDir: join(scratch, 'locks'), cloud: { local: { store } } }));

const aminateSync = (...args) => spawnSync(process.execPath, [bin, '-c', config, ...args], { encoding: 'utf8' });

async function bake(index) {
  const started = Date.now();
  const args = ['-c', config, '--json', 'bake', '--base-image', 'bench-base', '--suffix', `par${index}-${process.pid}`, pkg];
  const { code, stdout, stderr } = await runCli(bin, args);
  const events = stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const locks = events.filter((e) => e.type === 'resource' && e.action === 'acquired' && e.resource.kind === 'lock' && e.step === 'attach-volume');
  return { index, code, ms: Date.now() - started, image: events.at(-1)?.image?.id, deviceLocks: locks.length, stderr };
}

// Nodes the host would have if its own disks were sdf…sdp; only those that do not exist are made, and removed after.
const made = [];
try {
  ensureBenchBase(aminateSync, store);
  for (const letter of 'fghijklmnop') {
    const node = `/dev/sd${letter}`;
    if (existsSync(node)) continue;
    writeFileSync(node, '');
    made.push(node);
  }
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: bakes }, (_, i) => bake(i)));
  const wallMs = Date.now() - started;
  for (const r of results) {
    console.log(`bake ${r.index}: exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s, image ${r.image ?? '-'}, device-name locks ${r.deviceLocks}`);
    if (r.code !== 0) console.log(r.stderr.split('\n').slice(-8).join('\n'));
  }
  const failed = results.filter((r) => r.code !== 0).length;
  console.log(`\n${bakes} bakes of ${pkg} at once, /dev/sd[f-p] present: ${bakes - failed} succeeded, ${failed} failed; wall ${(wallMs / 1000).toFixed(1)} s`);
  for (const r of results) if (r.image) aminateSync('images', 'rm', r.image);
  process.exitCode = failed === 0 ? 0 : 1;
} finally {
  for (const node of made) unlinkSync(node);
  removeScratch(scratch);
}
