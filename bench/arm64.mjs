#!/usr/bin/env node
// arm64 against amd64 on this host: the same bakes (hello, nginx-light) on a bootable amd64 foundation
// and on a bootable arm64 one (its programs run through qemu-user-static), N runs each, alternating;
// per step the median of each and their ratio; then one arm64 bake of nginx-light verified by a boot
// in qemu's virt machine (TCG), with the boot's split from the verifier's log line.
// Needs root, the quickstart's host tools and `node scripts/host-packages.mjs --arm64`, binfmt_misc
// with qemu-aarch64 registered (flag F). Both foundations are built once into AMINATOR_BENCH_STORE
// (default /var/tmp/aminator-bench-store) and kept: the arm64 one takes ~15 minutes here.
// Usage: node bench/arm64.mjs [runs=3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/drift.mjs';
import { removeScratch } from './lib/scratch.mjs';

const runs = Number(process.argv[2] ?? 3);
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'core-bin', 'bin', 'aminate.js');
const store = process.env.AMINATOR_BENCH_STORE ?? '/var/tmp/aminator-bench-store';
const scratch = mkdtempSync(join(tmpdir(), 'aminator-bench-arm64-'));
const config = join(scratch, 'aminator.config.json');
writeFileSync(config, JSON.stringify({ workRoot: join(scratch, 'work'), lockDir: join(scratch, 'locks'), cloud: { local: { store } } }));
const BASES = { amd64: { name: 'bench-boot', arch: 'x86_64' }, arm64: { name: 'bench-boot-arm64', arch: 'arm64' } };
const BOOT =
  /boot \((UEFI)\): firmware \+ boot loader ([\d.]+) s, kernel \+ initrd ([\d.]+) s, userspace to multi-user\.target ([\d.]+) s; report after ([\d.]+) s/;

function aminate(...args) {
  const result = spawnSync(process.execPath, [bin, '-c', config, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`aminate ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout.slice(-3000)}`);
  return result.stdout;
}

/** One bake: the duration of each step (ms, from the step events) and the events. */
function bake(base, pkg, suffix, extra = []) {
  const started = Date.now();
  const events = aminate('--json', 'bake', '--base-image', base, '--suffix', suffix, ...extra, pkg)
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const steps = { total: Date.now() - started };
  const begun = new Map();
  for (const event of events) {
    if (event.type === 'step-start') begun.set(event.step, Date.parse(event.time));
    if (event.type === 'step-end') steps[event.step] = Date.parse(event.time) - begun.get(event.step);
  }
  aminate('images', 'rm', events.at(-1).image.id);
  return { steps, events };
}

try {
  for (const [arch, base] of Object.entries(BASES)) {
    if (spawnSync(process.execPath, [bin, '-c', config, 'images', 'show', base.name], { stdio: 'ignore' }).status === 0) continue;
    console.log(`building the bootable ${arch} foundation ${base.name} in ${store} (once)…`);
    aminate('foundation', '--name', base.name, '--arch', base.arch, '--size', '2G');
  }
  for (const pkg of ['hello', 'nginx-light']) {
    const samples = { amd64: [], arm64: [] };
    for (let run = 1; run <= runs; run++) {
      for (const arch of run % 2 ? ['amd64', 'arm64'] : ['arm64', 'amd64']) {
        samples[arch].push(bake(BASES[arch].name, pkg, `bench-${arch}-${process.pid}-${run}`).steps);
      }
      console.log(`${pkg} run ${run}: amd64 ${(samples.amd64.at(-1).total / 1000).toFixed(1)} s, arm64 ${(samples.arm64.at(-1).total / 1000).toFixed(1)} s`);
    }
    console.log(`\n${pkg}, ${runs} runs each (medians, s)\n${'step'.padEnd(16)} ${'amd64'.padStart(7)} ${'arm64'.padStart(7)}  ratio`);
    for (const step of Object.keys(samples.amd64[0])) {
      const a = median(samples.amd64.map((s) => s[step])) / 1000;
      const b = median(samples.arm64.map((s) => s[step])) / 1000;
      console.log(`${step.padEnd(16)} ${a.toFixed(2).padStart(7)} ${b.toFixed(2).padStart(7)}  ${a > 0 ? (b / a).toFixed(2) : '—'}`);
    }
    console.log('');
  }
  const { events } = bake(BASES.arm64.name, 'nginx-light', `bench-arm64-boot-${process.pid}`, [
    '--verify',
    '--verify-unit',
    'nginx.service',
    '--verify-http',
    '80/',
  ]);
  const line = events.find((e) => e.type === 'log' && BOOT.test(e.message));
  const [, , firmware, kernel, userspace, total] = BOOT.exec(line?.message ?? '') ?? [];
  console.log(
    `arm64 boot (UEFI, TCG), nginx-light: firmware + loader ${firmware} s, kernel + initrd ${kernel} s, userspace ${userspace} s; report after ${total} s`,
  );
} finally {
  removeScratch(scratch);
}
