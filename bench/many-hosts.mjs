#!/usr/bin/env node
// N bakes at once, each in its own privileged container (aminate's image, container/Containerfile), on
// one node, for N in the list: bakes per minute and each bake's wall time, as docs/SCALING.md reports.
// The containers share the node's store, work root, lock directory and run registry, mounted at the
// same paths, as container/README.md says. Needs root, podman and runc, and an image built from
// container/Containerfile (its tag as the first argument; `AMINATOR_E2E_CONTAINER_KEEP=TAG npm run
// test:containers` builds one from this checkout and keeps it). The base image is built once into the bench
// store (AMINATOR_BENCH_STORE, default /var/tmp/aminator-bench-store), shared with the other benches.
// Usage: node bench/many-hosts.mjs IMAGE [counts=1,2,4,8] [package=hello]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchBase } from './lib/bench-base.mjs';
import { median } from './lib/drift.mjs';
import { removeScratch } from './lib/scratch.mjs';

const [image, countList = '1,2,4,8', pkg = 'hello'] = process.argv.slice(2);
if (!image) {
  console.error('usage: node bench/many-hosts.mjs IMAGE [counts=1,2,4,8] [package=hello]');
  process.exit(2);
}
const counts = countList.split(',').map(Number);
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'packages', 'core-bin', 'bin', 'aminate.js');
const store = process.env.AMINATOR_BENCH_STORE ?? '/var/tmp/aminator-bench-store';
const scratch = mkdtempSync(join(tmpdir(), 'aminator-bench-hosts-'));
const config = join(scratch, 'aminator.config.json');
writeFileSync(config, JSON.stringify({ workRoot: join(scratch, 'work'), lockDir: join(scratch, 'locks'), cloud: { local: { store } } }));
const runtime = ['--runtime', 'runc', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];
mkdirSync('/run/aminator', { recursive: true, mode: 0o755 });

const aminate = (...args) => spawnSync(process.execPath, [bin, '-c', config, ...args], { encoding: 'utf8' });

/** One bake in its own container; resolves with its wall time and the image it made. */
function containerBake(name) {
  const args = ['run', '--rm', ...runtime, '--name', name, '--privileged', '--network', 'host'];
  for (const path of [scratch, store, '/run/aminator']) args.push('--volume', `${path}:${path}`);
  args.push(image, '-c', config, '--json', 'bake', '--base-image', 'bench-base', '--suffix', name, pkg);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('podman', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => {
      const last = JSON.parse(stdout.trim().split('\n').at(-1) || '{}');
      resolve({ code, ms: Date.now() - started, inside: last.durationMs, image: last.image?.id, stderr: stderr.slice(-2000) });
    });
  });
}

try {
  ensureBenchBase(aminate, store);
  const rows = [];
  for (const n of counts) {
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: n }, (_, i) => containerBake(`bench-hosts-${process.pid}-${n}-${i}`)));
    const wall = Date.now() - started;
    for (const r of results) if (r.image) aminate('images', 'rm', r.image);
    const failed = results.filter((r) => r.code !== 0);
    if (failed.length > 0) throw new Error(`${failed.length} of ${n} bakes failed:\n${failed[0].stderr}`);
    const per = median(results.map((r) => r.ms));
    const inside = median(results.map((r) => r.inside));
    rows.push({ n, wall, perMinute: (n * 60_000) / wall, per, inside });
    console.log(
      `${n} at once: ${(wall / 1000).toFixed(1)} s for all, ${((n * 60_000) / wall).toFixed(1)} bakes/min, a bake ${(per / 1000).toFixed(1)} s (median; pipeline ${(inside / 1000).toFixed(1)} s)`,
    );
  }
  console.log('\n| bakes at once | wall for all | bakes per minute | one bake (median) | its pipeline |');
  console.log('|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.n} | ${(r.wall / 1000).toFixed(1)} s | ${r.perMinute.toFixed(1)} | ${(r.per / 1000).toFixed(1)} s | ${(r.inside / 1000).toFixed(1)} s |`,
    );
} finally {
  removeScratch(scratch);
}
