#!/usr/bin/env node
// Start-up cost of `aminate --version`, `aminate plugins list` and a `cleanup` with nothing to do, in a
// project whose node_modules holds 2,000 unrelated packages (plus scoped ones), median of N runs each.
// Rounds interleave the commands with `node -e 0` (the floor), so a machine that slows down for a
// while slows every row alike; the figures the drift check compares are each median over the floor's.
// Usage: node bench/startup.mjs [runs=25] [packages=2000] [--check] [--record]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { driftMode, finishDrift, median } from './lib/drift.mjs';

const mode = driftMode(process.argv.slice(2));
const runs = Number(mode.positional[0] ?? 25);
const packages = Number(mode.positional[1] ?? 2000);
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core-bin', 'bin', 'aminate.js');

function makeProject() {
  const dir = mkdtempSync(join(tmpdir(), 'aminate-bench-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"bench-project","private":true}');
  for (let i = 0; i < packages; i++) {
    const scoped = i % 10 === 0;
    const name = scoped ? `@scope${i % 7}/pkg-${i}` : `pkg-${i}`;
    const pkgDir = join(dir, 'node_modules', name);
    mkdirSync(pkgDir, { recursive: true });
    writeFileSync(
      join(pkgDir, 'package.json'),
      JSON.stringify({
        name,
        version: '1.0.0',
        description: `unrelated package number ${i}`,
        main: 'index.js',
        keywords: ['util', 'string', `k${i}`],
        dependencies: { lodash: '^4.17.21' },
        license: 'MIT',
      }),
    );
  }
  return dir;
}

function time(argv, cwd) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return ms;
}

const project = makeProject();
try {
  const scratch = (name) => join(project, 'scratch', name);
  const rows = [
    { key: 'floor', label: 'node -e 0 (floor)', argv: ['-e', '0'] },
    { key: 'version', label: 'aminate --version', argv: [bin, '--version'] },
    { key: 'plugins-list', label: 'aminate plugins list', argv: [bin, 'plugins', 'list'] },
    { key: 'plugins-list-json', label: 'aminate plugins list --json', argv: [bin, 'plugins', 'list', '--json'] },
    {
      key: 'cleanup',
      label: 'aminate cleanup (nothing to do)',
      argv: [bin, 'cleanup', '--work-root', scratch('work'), '--lock-dir', scratch('locks'), '--store', scratch('store')],
    },
  ].map((row) => ({ ...row, samples: [] }));
  for (const row of rows) time(row.argv, project);
  for (let i = 0; i < runs; i++) for (const row of rows) row.samples.push(time(row.argv, project));
  const floor = median(rows[0].samples);
  console.log(`aminate start-up, ${packages} packages in node_modules, ${runs} interleaved rounds (ms)`);
  console.log('| command | median | min | max | × floor |');
  console.log('|---|---|---|---|---|');
  for (const { label, samples } of rows) {
    const m = median(samples);
    console.log(`| ${label} | ${m.toFixed(0)} | ${Math.min(...samples).toFixed(0)} | ${Math.max(...samples).toFixed(0)} | ${(m / floor).toFixed(2)} |`);
  }
  const figures = Object.fromEntries(rows.slice(1).map((row) => [row.key, median(row.samples) / floor]));
  finishDrift(mode, 'startup', figures, 0.15);
} finally {
  rmSync(project, { recursive: true, force: true });
}
