#!/usr/bin/env node
// A local bake through `aminate` against the same steps as a plain shell script (bench/local-bake.sh),
// alternating which goes first, N runs each; prints every run, the medians and their ratio.
// Needs root and the host tools of the quickstart. The base image is built once into the bench store
// (AMINATOR_BENCH_STORE, default /var/tmp/aminator-bench-store) and kept for later runs.
// Also `aminate bake --dry-run` against `node -e 0`, interleaved. Each bake's install (apt-get update to
// apt-get clean: aminate's provision step, the script's same commands) is timed too, so the bake's own
// price is seen apart from the mirror's: the install alone swings by ±0.3 s from one bake to the next,
// and the base image's age sets how much `apt-get update` fetches. With --check, the figures of
// bench/baseline.json are compared: the bake outside its install over the script outside its install,
// the install over the script's install, and the dry run (medians of the per-pair ratios).
// Usage: node bench/local-bake.mjs [runs=3] [package=hello] [--check] [--record]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
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

/** One bake: its wall time and its install's (the provision step). */
function bakeWithAminate() {
  const { ms, stdout } = aminate('--json', 'bake', '--base-image', 'bench-base', '--suffix', `bench-${process.pid}`, pkg);
  const events = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const result = events.at(-1);
  aminate('images', 'rm', result.image.id);
  inside.push(result.durationMs);
  const provision = events.find((event) => event.type === 'step-end' && event.step === 'provision');
  return { ms, installMs: provision.durationMs };
}

function bakeWithScript(base) {
  const work = mkdtempSync(join(scratch, 'script-'));
  const { ms, stdout } = run(script, [store, base, pkg, work]);
  const dir = join(store, 'images', stdout.trim());
  for (const file of ['disk.raw', 'image.json']) unlinkSync(join(dir, file));
  rmdirSync(dir);
  const [started, ended] = readFileSync(join(work, 'install.us'), 'utf8').trim().split(' ').map(Number);
  return { ms, installMs: (ended - started) / 1000 };
}

const inside = [];
const seconds = (ms) => (ms / 1000).toFixed(2);

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
    const [a, s] = [times.aminate.at(-1), times.script.at(-1)];
    console.log(`run ${i + 1}: aminate ${seconds(a.ms)} s (install ${seconds(a.installMs)}), script ${seconds(s.ms)} s (install ${seconds(s.installMs)})`);
  }
  const pairs = times.aminate.map((a, i) => ({ a, s: times.script[i] }));
  const outside = ({ ms, installMs }) => ms - installMs;
  const [a, s] = [median(times.aminate.map((t) => t.ms)), median(times.script.map((t) => t.ms))];
  const paired = median(pairs.map(({ a, s }) => a.ms / s.ms));
  const outsideRatio = median(pairs.map(({ a, s }) => outside(a) / outside(s)));
  const installRatio = median(pairs.map(({ a, s }) => a.installMs / s.installMs));
  const overheadMs = median(pairs.map(({ a, s }) => outside(a) - outside(s)));
  console.log(`\npackage ${pkg}, ${runs} runs each`);
  console.log(`median aminate ${seconds(a)} s, script ${seconds(s)} s, ratio ${(a / s).toFixed(3)} (target ≤ 1.10)`);
  console.log(`median of the per-pair ratios ${paired.toFixed(3)}`);
  console.log(
    `aminate's pipeline (run-start to result) ${seconds(median(inside))} s; the rest is Node start-up, module loading, config and plugin discovery, and exit`,
  );
  console.log(
    `outside the install: aminate ${median(times.aminate.map(outside)).toFixed(0)} ms, script ${median(times.script.map(outside)).toFixed(0)} ms — the bake's own price ${overheadMs.toFixed(0)} ms (per-pair median), ratio ${outsideRatio.toFixed(3)}`,
  );
  console.log(
    `the install (apt-get update to clean): aminate ${seconds(median(times.aminate.map((t) => t.installMs)))} s, script ${seconds(median(times.script.map((t) => t.installMs)))} s, ratio ${installRatio.toFixed(3)}`,
  );
  const dryRun = dryRunRatio(Math.max(9, runs));
  // Wider margins where the disk and the mirror are in the figure: the copy and the first attach
  // (~0.3 s of the script outside its install) move by ±10 % between pairs, the install by more.
  const figures = { [`${pkg}-outside-install`]: outsideRatio, [`${pkg}-install`]: installRatio, 'dry-run': dryRun };
  finishDrift(mode, 'local-bake', figures, 0.06, { [`${pkg}-outside-install`]: 0.1, [`${pkg}-install`]: 0.15 });
} finally {
  removeScratch(scratch);
}
