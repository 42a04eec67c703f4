import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { sleep } from '@aminator/core';
import { findHolders } from '@aminator/linux-host';
import { jsonLines, ROOT_ONLY } from '@aminator/testkit';
import { buildDeb } from './fixtures.js';
import { bin, type LocalWorld, openLocalWorld } from './local-world.js';

/** Processes with their root (or cwd, or an open file) under `dir`. */
function chrootProcesses(dir: string): Array<{ pid: number; command: string }> {
  return findHolders(dir).filter((h) => h.pid !== process.pid);
}

async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('aminate cleanup after kill -9 (local cloud, real chroot processes)', ROOT_ONLY, () => {
  let world: LocalWorld;
  before(async () => {
    world = await openLocalWorld('aminator-e2e-cleanup-');
  });
  after(() => world.close());

  it('SIGINT in a maintainer script stops what runs in the chroot and cleans up; a second SIGINT does not abandon the cleanup', async () => {
    const deb = buildDeb(world.scratch, 'stuck-app', { postinst: '#!/bin/sh\nsleep 600\n' });
    const child = spawn(process.execPath, [bin, '-c', world.config, 'bake', deb], {
      cwd: world.scratch,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await waitFor('the maintainer script to run in the chroot', () => chrootProcesses(world.work).find((p) => p.command === 'sleep'));
      child.kill('SIGINT');
      await waitFor('the first SIGINT to be noticed', () => (output.includes('SIGINT received') ? true : undefined), 10_000);
      child.kill('SIGINT');
      assert.equal(await exited, 130, output);
      assert.match(output, /SIGINT received again: cleanup is in progress and will finish/);
      assert.match(output, /stopped .*sleep \(pid \d+\).* left running in the chroot/);
      assert.match(output, /error E_INTERRUPTED \(step provision\)/);
      assert.match(output, /everything the bake acquired was cleaned up/);
      assert.deepEqual(chrootProcesses(world.work), []);
      world.assertNothingLeft();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const p of chrootProcesses(world.work)) process.kill(p.pid, 'SIGKILL');
    }
  });

  it('leaves a live bake alone; once it is killed, stops the processes left in its chroot and reclaims everything; --dry-run changes nothing', async () => {
    const deb = buildDeb(world.scratch, 'slow-app', { postinst: '#!/bin/sh\nsleep 600\n' });
    const child = spawn(process.execPath, [bin, '-c', world.config, '--json', 'bake', deb], {
      cwd: world.scratch,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    try {
      await waitFor('the maintainer script to run in the chroot', () => chrootProcesses(world.work).find((p) => p.command === 'sleep'));
      const runId = String(jsonLines(stdout)[0]?.runId);

      const whileLive = await world.aminate(['--json', 'cleanup']);
      assert.equal(whileLive.code, 0, whileLive.stderr);
      assert.deepEqual(
        jsonLines(whileLive.stdout).filter((e) => e.type === 'leftover'),
        [],
        'nothing of a live bake is listed',
      );
      const otherLockDir = await world.aminate(['--json', 'cleanup', '--lock-dir', `${world.scratch}/other-locks`]);
      assert.equal(otherLockDir.code, 0, otherLockDir.stderr);
      assert.deepEqual(
        jsonLines(otherLockDir.stdout).filter((e) => e.type === 'leftover' && e.runId === runId),
        [],
        'not even when looking at another lock directory: the work directory names its owner',
      );
      const otherFlags = await world.aminate(['--json', 'cleanup', '--lock-dir', `${world.scratch}/other-locks`, '--work-root', `${world.scratch}/other-work`]);
      assert.equal(otherFlags.code, 0, otherFlags.stderr);
      assert.deepEqual(
        jsonLines(otherFlags.stdout).filter((e) => e.type === 'leftover' && e.runId === runId),
        [],
        'nor with another lock directory and work root: the host registers every live run in one place',
      );
      assert.equal(child.exitCode, null, 'the bake is still running');

      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const orphans = chrootProcesses(world.work);
      assert.ok(
        orphans.some((p) => p.command === 'sleep'),
        'kill -9 left the maintainer script running',
      );

      const dry = await world.aminate(['--json', 'cleanup', '--dry-run']);
      assert.equal(dry.code, 0, dry.stderr);
      const listed = jsonLines(dry.stdout).filter((e) => e.type === 'leftover');
      assert.ok(listed.every((e) => e.status === 'found'));
      assert.deepEqual(new Set(listed.map((e) => e.phase)), new Set(['processes', 'mounts', 'devices', 'volumes', 'files', 'locks']));
      assert.ok(listed.filter((e) => e.kind === 'process').every((e) => e.runId === runId));
      assert.ok(chrootProcesses(world.work).length >= orphans.length, 'a dry run stops nothing');

      const swept = await world.aminate(['--json', 'cleanup']);
      assert.equal(swept.code, 0, swept.stderr + swept.stdout);
      const result = jsonLines(swept.stdout).at(-1) ?? {};
      assert.equal(result.status, 'succeeded');
      assert.equal(result.failed, 0);
      assert.deepEqual(chrootProcesses(world.work), [], 'no process is left in the chroot');
      world.assertNothingLeft();
      const again = await world.aminate(['cleanup']);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /nothing to clean up/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const p of chrootProcesses(world.work)) process.kill(p.pid, 'SIGKILL');
    }
  });

  it('kill -9 during `aminate foundation` (debootstrap running): cleanup stops debootstrap, unmounts, detaches and removes the unfinished image', async () => {
    const child = spawn(process.execPath, [bin, '-c', world.config, 'foundation', '--name', 'killed-base', '--size', '1G'], {
      cwd: world.scratch,
      env: { ...process.env, CI: 'true' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    try {
      // aminate itself holds its run log below the work root: wait for another process — debootstrap.
      await waitFor('debootstrap to write into the new root', () => (chrootProcesses(world.work).some((p) => p.pid !== child.pid) ? true : undefined));
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const swept = await world.aminate(['--json', 'cleanup']);
      assert.equal(swept.code, 0, swept.stderr + swept.stdout);
      const kinds = new Set(
        jsonLines(swept.stdout)
          .filter((e) => e.type === 'leftover' && e.status === 'reclaimed')
          .map((e) => e.kind),
      );
      for (const kind of ['mount', 'loop-device', 'staged-image', 'lock']) assert.ok(kinds.has(kind), `${kind} reclaimed: ${[...kinds].join(', ')}`);
      assert.deepEqual(chrootProcesses(world.work), []);
      world.assertNothingLeft();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const p of chrootProcesses(world.work)) process.kill(p.pid, 'SIGKILL');
    }
  });
});
