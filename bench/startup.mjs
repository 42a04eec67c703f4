#!/usr/bin/env node
// Start-up cost of `aminate --version`, `aminate plugins list` and a `cleanup` with nothing to do, in a
// project whose node_modules holds 2,000 unrelated packages (plus scoped ones), median of N runs each.
// Usage: node bench/startup.mjs [runs=25] [packages=2000]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 25);
const packages = Number(process.argv[3] ?? 2000);
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

function time(args, cwd) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`aminate ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const project = makeProject();
try {
  const baseline = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    baseline.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const rows = [['node -e 0 (floor)', baseline]];
  const scratch = (name) => join(project, 'scratch', name);
  const cleanup = ['cleanup', '--work-root', scratch('work'), '--lock-dir', scratch('locks'), '--store', scratch('store')];
  for (const args of [['--version'], ['plugins', 'list'], ['plugins', 'list', '--json'], cleanup]) {
    time(args, project);
    const samples = Array.from({ length: runs }, () => time(args, project));
    rows.push([`aminate ${args[0] === 'cleanup' ? 'cleanup (nothing to do)' : args.join(' ')}`, samples]);
  }
  console.log(`aminate start-up, ${packages} packages in node_modules, ${runs} runs each (ms)`);
  console.log('| command | median | min | max |');
  console.log('|---|---|---|---|');
  for (const [label, samples] of rows) {
    console.log(`| ${label} | ${median(samples).toFixed(0)} | ${Math.min(...samples).toFixed(0)} | ${Math.max(...samples).toFixed(0)} |`);
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}
