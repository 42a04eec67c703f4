#!/usr/bin/env node
// Boot-to-ready under qemu, per boot mode: `aminate bake --verify --verify-boot-mode both hello` on a
// bootable foundation, N runs; each boot's split (firmware + boot loader, kernel + initrd, userspace to
// multi-user.target, and the whole wait for the guest's report) is read from the verifier's log line.
// Needs root and the host tools of the quickstart (qemu-system-x86, ovmf). The bootable base image is
// built once into AMINATOR_BENCH_STORE (default /var/tmp/aminator-bench-store) and kept.
// Usage: node bench/boot.mjs [runs=3] [package=hello] [bake flags…]
// The quickstart's check: node bench/boot.mjs 3 nginx-light --verify-unit nginx.service --verify-http 80/
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/drift.mjs';
import { removeScratch } from './lib/scratch.mjs';

const runs = Number(process.argv[2] ?? 3);
const pkg = process.argv[3] ?? 'hello';
const bakeFlags = process.argv.slice(4);
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core-bin', 'bin', 'aminate.js');
const store = process.env.AMINATOR_BENCH_STORE ?? '/var/tmp/aminator-bench-store';
const scratch = mkdtempSync(join(tmpdir(), 'aminator-bench-boot-'));
const config = join(scratch, 'aminator.config.json');
writeFileSync(config, JSON.stringify({ workRoot: join(scratch, 'work'), lockDir: join(scratch, 'locks'), cloud: { local: { store } } }));

function aminate(...args) {
  const result = spawnSync(process.execPath, [bin, '-c', config, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`aminate ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout.slice(-3000)}`);
  return result.stdout;
}

const BOOT =
  /boot \((BIOS|UEFI)\): firmware \+ boot loader ([\d.]+) s, kernel \+ initrd ([\d.]+) s, userspace to multi-user\.target ([\d.]+) s; report after ([\d.]+) s/;
const rows = [];
try {
  if (spawnSync(process.execPath, [bin, '-c', config, 'images', 'show', 'bench-boot'], { stdio: 'ignore' }).status !== 0) {
    console.log(`building the bootable base image bench-boot in ${store} (once)…`);
    aminate('foundation', '--name', 'bench-boot', '--size', '2G');
  }
  for (let run = 1; run <= runs; run++) {
    const stdout = aminate(
      '--json',
      'bake',
      '--base-image',
      'bench-boot',
      '--suffix',
      `bench-boot-${process.pid}-${run}`,
      '--verify',
      '--verify-boot-mode',
      'both',
      ...bakeFlags,
      '--',
      pkg,
    );
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    for (const event of events) {
      const match = event.type === 'log' ? BOOT.exec(event.message) : null;
      if (match) rows.push({ mode: match[1], firmware: +match[2], kernel: +match[3], userspace: +match[4], total: +match[5] });
    }
    aminate('images', 'rm', events.at(-1).image.id);
    console.log(
      `run ${run}: ${rows
        .slice(-2)
        .map((r) => `${r.mode} ${r.total} s`)
        .join(', ')}`,
    );
  }
  console.log('\nmode   firmware+loader   kernel+initrd   userspace   report after   (medians, s)');
  for (const mode of ['BIOS', 'UEFI']) {
    const mine = rows.filter((r) => r.mode === mode);
    console.log(
      `${mode.padEnd(6)} ${String(median(mine.map((r) => r.firmware))).padStart(15)} ${String(median(mine.map((r) => r.kernel))).padStart(15)} ${String(median(mine.map((r) => r.userspace))).padStart(11)} ${String(median(mine.map((r) => r.total))).padStart(14)}`,
    );
  }
} finally {
  removeScratch(scratch);
}
