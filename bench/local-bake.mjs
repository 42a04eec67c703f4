#!/usr/bin/env node
// A local bake through `aminate` against the same steps as a plain shell script (bench/local-bake.sh),
// alternating which goes first, N runs each; prints every run, the medians and their ratio.
// Needs root and the host tools of the quickstart. The base image is built once into the bench store
// (AMINATOR_BENCH_STORE, default /var/tmp/aminator-bench-store) and kept for later runs.
// Also `aminate bake --dry-run` against `node -e 0`, interleaved. With --check, the ratios are compared
// with bench/baseline.json (the median of the per-pair ratios: each pair shares the mirror's mood).
// Usage: node bench/local-bake.mjs [runs=3] [package=hello] [--check] [--record]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { driftMode, finishDrift, median } from './lib/drift.mjs';
import { removeScratch } from './lib/scratch.mjs';

const mode = driftMode(process.argv.slice(2));
const runs = Number(mode.positional[0] ?? 3);
const pkg = mode.positional[1] ?? 'hello';
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'packages', 'core-bin', 'bin', 'aminate.js');
const script = join(here, 'local-bake.sh');
const store = process.env.AMINATOR_BENCH_STORE ?? '/var/tmp/aminator-bench-store';
const scratch = mkdtempSync(join(tmpdir(), 'aminator-bench-bake-'));
const config = join(scratch, 'aminator.config.json');
writeFileSync(config, JSON.stringify({ workRoot: join(scratch, 'work'), lockDir: join(scratch, 'locks'), cloud: { local: { store } } }));

function run(file, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}
const aminate = (...args) => run(process.execPath, [bin, '-c', config, ...args]);

function baseImageId() {
  const shown = spawnSync(process.execPath, [bin, '-c', config, 'images', 'show', '--json', 'bench-base'], { encoding: 'utf8' });
  if (shown.status === 0) return JSON.parse(shown.stdout).id;
  console.log(`building the base image bench-base in ${store} (once)…`);
  aminate('foundation', '--name', 'bench-base', '--size', '1G', '--minimal');
  return baseImageId();
}

function bakeWithAminate() {
  const { ms, stdout } = aminate('--json', 'bake', '--base-image', 'bench-base', '--suffix', `bench-${process.pid}`, pkg);
  const result = JSON.parse(stdout.trim().split('\n').at(-1));
  aminate('images', 'rm', result.image.id);
  inside.push(result.durationMs);
  return ms;
}

function bakeWithScript(base) {
  const work = mkdtempSync(join(scratch, 'script-'));
  const { ms, stdout } = run(script, [store, base, pkg, work]);
  const dir = join(store, 'images', stdout.trim());
  for (const file of ['disk.raw', 'image.json']) unlinkSync(join(dir, file));
  rmdirSync(dir);
  return ms;
}

const inside = [];

/** `bake --dry-run` (config, plugins, plan; no step runs) over Node's own start, interleaved. */
function dryRunRatio(rounds) {
  const dry = [];
  const floor = [];
  for (let i = 0; i < rounds; i++) {
    floor.push(run(process.execPath, ['-e', '0']).ms);
    dry.push(aminate('bake', '--dry-run', '--base-image', 'bench-base', pkg).ms);
  }
  console.log(`bake --dry-run: median ${median(dry).toFixed(0)} ms, node -e 0 ${median(floor).toFixed(0)} ms (${rounds} rounds)`);
  return median(dry) / median(floor);
}
try {
  const base = baseImageId();
  const times = { aminate: [], script: [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['aminate', 'script'] : ['script', 'aminate'];
    for (const who of order) times[who].push(who === 'aminate' ? bakeWithAminate() : bakeWithScript(base));
    console.log(`run ${i + 1}: aminate ${(times.aminate.at(-1) / 1000).toFixed(2)} s, script ${(times.script.at(-1) / 1000).toFixed(2)} s`);
  }
  const [a, s] = [median(times.aminate), median(times.script)];
  const paired = median(times.aminate.map((t, i) => t / times.script[i]));
  console.log(`\npackage ${pkg}, ${runs} runs each`);
  console.log(`median aminate ${(a / 1000).toFixed(2)} s, script ${(s / 1000).toFixed(2)} s, ratio ${(a / s).toFixed(3)} (target ≤ 1.10)`);
  console.log(`median of the per-pair ratios ${paired.toFixed(3)}`);
  console.log(
    `aminate's pipeline (run-start to result) ${(median(inside) / 1000).toFixed(2)} s; the rest is Node start-up, module loading, config and plugin discovery, and exit`,
  );
  const dryRun = dryRunRatio(Math.max(9, runs));
  finishDrift(mode, 'local-bake', { [pkg]: paired, 'dry-run': dryRun }, 0.06);
} finally {
  removeScratch(scratch);
}
