#!/usr/bin/env node
// `npm run bench:check`: the drift check before a release. Runs the benches whose figures are ratios
// (start-up over Node's own start; a local bake over the plain script; a dry run over Node's start)
// with --check against bench/baseline.json, and exits 1 if any drifted past its margin. Needs a built
// tree (`npm run build`); the local bake needs root, the quickstart's host tools and the mirror.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benches = [
  ['startup.mjs', '25', '2000'],
  ['local-bake.mjs', '5', 'hello'],
];
const failed = [];
for (const [file, ...args] of benches) {
  console.log(`\n== node bench/${file} ${args.join(' ')} --check`);
  const result = spawnSync(process.execPath, [join(here, file), ...args, '--check', ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.status !== 0) failed.push(file);
}
console.log(failed.length === 0 ? '\nbench:check: every figure is within its margin' : `\nbench:check: ${failed.join(', ')} drifted (or failed to run)`);
process.exit(failed.length === 0 ? 0 : 1);
