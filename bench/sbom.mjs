#!/usr/bin/env node
// What an image's SBOM costs a bake: the two reads of the package database (before and after the
// install), the CycloneDX document (OWASP's library imported on first use, as in a bake), the SPDX
// document, the delta and the three files — each in a fresh Node process, as a bake pays them once.
// Needs root (mounts the image read-only). Usage: node bench/sbom.mjs DISK [runs=5]
//   DISK: a raw image disk, e.g. /var/tmp/aminator-bench-store/images/img-…/disk.raw
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './lib/drift.mjs';

const [disk, runsArg = '5'] = process.argv.slice(2);
if (!disk) throw new Error('usage: node bench/sbom.mjs DISK [runs=5]');
const run = (cmd, args) => {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};
const table = JSON.parse(run('sfdisk', ['--json', disk])).partitiontable;
const offset = table.partitions[0].start * (table.sectorsize ?? 512);
const loop = run('losetup', ['--find', '--show', '--read-only', '--offset', String(offset), '--', disk]);
const root = mkdtempSync(join(tmpdir(), 'aminator-bench-sbom-'));
const out = mkdtempSync(join(tmpdir(), 'aminator-bench-sbom-out-'));
const child = `
const t0 = performance.now();
const { readDpkgInventory } = await import('@aminator/linux-host');
const { writeImageSbom } = await import('@aminator/sbom');
const t1 = performance.now();
const base = readDpkgInventory(process.argv[1]);
const image = readDpkgInventory(process.argv[1]);
const t2 = performance.now();
await writeImageSbom(process.argv[2], { base, image }, { imageId: 'img-000000000000', imageName: 'bench', createdAt: new Date().toISOString() });
const t3 = performance.now();
console.log(JSON.stringify({ imports: t1 - t0, reads: t2 - t1, documents: t3 - t2, packages: image.packages.length }));
`;
try {
  run('mount', ['-o', 'ro', loop, root]);
  const samples = [];
  for (let i = 0; i < Number(runsArg); i++) {
    const dir = mkdtempSync(join(out, 'run-'));
    samples.push(JSON.parse(run(process.execPath, ['--input-type=module', '-e', child, root, dir])));
  }
  const m = (key) => median(samples.map((s) => s[key])).toFixed(1);
  console.log(
    `${samples[0].packages} packages, ${samples.length} runs, medians (ms): libraries imported ${m('imports')}, two database reads ${m('reads')}, documents built and written ${m('documents')}`,
  );
  console.log(`total per bake: ${median(samples.map((s) => s.imports + s.reads + s.documents)).toFixed(1)} ms`);
} finally {
  spawnSync('umount', [root]);
  spawnSync('losetup', ['--detach', loop]);
  rmSync(root, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}
