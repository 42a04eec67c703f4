import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCodes, FileLockManager, processStartTicks } from '../src/internal.js';
import { TempTree } from './temp-packages.js';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(child.stdout.toString().trim());
}

describe('FileLockManager', () => {
  const tree = new TempTree();
  after(() => tree.remove());
  let n = 0;
  const freshDir = (): string => join(tree.root, `locks-${++n}`);

  it('creates the lock file exclusively with the owner pid, and releases it', async () => {
    const dir = freshDir();
    const locks = new FileLockManager(dir, 'run-a');
    const handle = await locks.tryAcquire('dev-sdf');
    assert.ok(handle);
    const owner = JSON.parse(readFileSync(handle.path, 'utf8'));
    assert.equal(owner.pid, process.pid);
    assert.equal(owner.runId, 'run-a');
    assert.equal(owner.startTicks, processStartTicks(process.pid));
    assert.equal(statSync(dir).mode & 0o777, 0o755);
    assert.equal(await new FileLockManager(dir, 'run-b').tryAcquire('dev-sdf'), undefined, 'a live holder keeps it');
    await handle.release();
    assert.equal(existsSync(handle.path), false);
    await handle.release();
  });

  it('gives a lock to exactly one of many concurrent takers', async () => {
    const dir = freshDir();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => new FileLockManager(dir, `run-${i}`).tryAcquire('dev-sdg')));
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('reclaims a stale lock whose owner is gone, and reports it as stale', async () => {
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o755 });
    const path = join(dir, 'dev-sdh.lock');
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: 'h', runId: 'dead', startTicks: 1, acquiredAt: 'x' }));
    const listed = await new FileLockManager(dir, 'x').list();
    assert.deepEqual(
      listed.map((l) => [l.name, l.stale]),
      [['dev-sdh', true]],
    );
    const handle = await new FileLockManager(dir, 'run-new').tryAcquire('dev-sdh');
    assert.ok(handle);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).runId, 'run-new');
    await handle.release();
  });

  it('treats a live pid with another start time (a reused pid) as stale', async () => {
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'dev-sdi.lock'), JSON.stringify({ pid: process.pid, host: 'h', runId: 'old', startTicks: 1, acquiredAt: 'x' }));
    const handle = await new FileLockManager(dir, 'run-new').tryAcquire('dev-sdi');
    assert.ok(handle);
    await handle.release();
  });

  it('never releases a lock another run holds', async () => {
    const dir = freshDir();
    const mine = await new FileLockManager(dir, 'mine').tryAcquire('dev-sdj');
    assert.ok(mine);
    writeFileSync(mine.path, JSON.stringify({ pid: process.pid, host: 'h', runId: 'theirs', startTicks: processStartTicks(process.pid), acquiredAt: 'x' }));
    await mine.release();
    assert.equal(existsSync(mine.path), true);
  });

  it('refuses a lock directory that is a symlink or writable by others, and lock names with paths', async () => {
    const target = freshDir();
    mkdirSync(target, { mode: 0o755 });
    const link = join(tree.root, 'link-locks');
    symlinkSync(target, link);
    await assert.rejects(new FileLockManager(link, 'x').tryAcquire('a'), { code: ErrorCodes.UNSAFE_PATH, exitCode: 2 });
    const open = freshDir();
    mkdirSync(open);
    chmodSync(open, 0o777);
    await assert.rejects(new FileLockManager(open, 'x').tryAcquire('a'), { code: ErrorCodes.UNSAFE_PATH, exitCode: 2 });
    await assert.rejects(new FileLockManager(freshDir(), 'x').tryAcquire('../escape'), { code: ErrorCodes.LOCK });
  });

  it('does not follow a symlink planted at the lock path', async () => {
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o755 });
    const victim = join(tree.root, 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'dev-sdk.lock'));
    const handle = await new FileLockManager(dir, 'x').tryAcquire('dev-sdk');
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    await handle?.release();
  });
});
