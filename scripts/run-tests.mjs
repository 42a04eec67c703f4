#!/usr/bin/env node
// Runs every compiled test file with node's test runner. Node 20 takes no globs on the command line,
// so the files are collected here: <workspace>/dist/test/**/*.test.js.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `--here`: only the workspace this runs in (each package's `npm test`); else every workspace.
const here = process.argv.includes('--here');
const passOn = process.argv.slice(2).filter((arg) => arg !== '--here');
const roots = here ? ['.'] : ['packages', 'examples'].flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : []));
if (!here) roots.push('test-e2e');

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testFiles(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const files = roots.flatMap((root) => testFiles(join(root, 'dist', 'test')));
if (files.length === 0) {
  console.error('no compiled test files found: run `npm run build` first');
  process.exit(1);
}
// Readable output on stdout, and TAP to a file from which the closing count line is printed.
const tapDir = mkdtempSync(join(tmpdir(), 'aminator-tap-'));
const tap = join(tapDir, 'results.tap');
// Two files at a time: the long ones (qemu boots, fault matrices) are CPU- or wait-bound and overlap
// well on two cores; every test uses its own scratch directory, loop devices and locks.
// Tests import each package's per-file build (the `aminator-source` condition), as their own files
// do; the aminate processes they start load the bundles a user runs.
const args = [
  '--conditions=aminator-source',
  '--test',
  '--test-concurrency=2',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...passOn,
  ...files,
];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
rmSync(tapDir, { recursive: true, force: true });
const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
console.log(`${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`);
process.exit(result.status ?? 1);
