// Decorated classes need the Reflect metadata API before tsyringe loads.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { container } from 'tsyringe';
import {
  BAKE_SETTINGS,
  type BakePlugin,
  CLOUD,
  COMMAND_RUNNER,
  FINALIZER,
  FileLockManager,
  findCoreLeftovers,
  inReclaimOrder,
  type Leftover,
  type LeftoverContext,
  LeftoverSweep,
  LOCK_MANAGER,
  LOGGER,
  LockRunLiveness,
  type Logger,
  OS,
  PROVISIONER,
  ProcessCommandRunner,
  removeEmptyTree,
  runLockName,
  VOLUME,
  writeRunOwner,
} from '../src/internal.js';
import { TempTree } from './temp-packages.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
}

/** A lock file as a bake killed with -9 leaves it. */
function writeStaleLock(dir: string, name: string, runId: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, `${name}.lock`), JSON.stringify({ pid: deadPid(), host: 'h', runId, startTicks: 1, acquiredAt: new Date().toISOString() }));
}

describe('leftovers of dead bakes', () => {
  const tree = new TempTree();
  after(() => tree.remove());
  let n = 0;
  const fresh = (): { locksDir: string; workRoot: string; ctx: LeftoverContext; locks: FileLockManager } => {
    const base = join(tree.root, `sweep-${++n}`);
    const locksDir = join(base, 'locks');
    const workRoot = join(base, 'work');
    mkdirSync(workRoot, { recursive: true });
    const locks = new FileLockManager(locksDir, 'sweeper');
    const ctx: LeftoverContext = {
      workRoot,
      locks,
      runs: new LockRunLiveness(locks),
      commands: new ProcessCommandRunner(quiet),
      log: quiet,
      signal: new AbortController().signal,
    };
    return { locksDir, workRoot, ctx, locks };
  };

  it('a run is alive while its lock is held; without a lock the tagged pid decides; otherwise it is gone', async () => {
    const { locksDir, locks, ctx } = fresh();
    const held = await new FileLockManager(locksDir, 'aaaaaaaaaaaa').tryAcquire(runLockName('aaaaaaaaaaaa'));
    assert.ok(held);
    writeStaleLock(locksDir, runLockName('bbbbbbbbbbbb'), 'bbbbbbbbbbbb');
    assert.equal(await ctx.runs.isAlive('aaaaaaaaaaaa'), true);
    assert.equal(await ctx.runs.isAlive('bbbbbbbbbbbb', process.pid), false, 'a stale run lock wins over a reused pid');
    assert.equal(await ctx.runs.isAlive('cccccccccccc', process.pid), true);
    assert.equal(await ctx.runs.isAlive('cccccccccccc', deadPid()), false);
    assert.equal(await ctx.runs.isAlive('cccccccccccc'), false);
    assert.equal(await ctx.runs.isAlive('../../etc/passwd', process.pid), true, 'a malformed run id is never a lock path');
    await held.release();
    assert.equal(await locks.inspect(runLockName('aaaaaaaaaaaa')), undefined);
  });

  it('without a run lock, the owner file in the work directory decides (a cleanup using another lock directory)', async () => {
    const { locks, workRoot } = fresh();
    const runs = new LockRunLiveness(locks, workRoot);
    mkdirSync(join(workRoot, 'eeeeeeeeeeee'));
    await writeRunOwner(join(workRoot, 'eeeeeeeeeeee'), 'eeeeeeeeeeee');
    assert.equal(await runs.isAlive('eeeeeeeeeeee'), true);
    mkdirSync(join(workRoot, 'ffffffffffff'));
    writeFileSync(join(workRoot, 'ffffffffffff', '.owner'), JSON.stringify({ pid: deadPid(), runId: 'ffffffffffff' }));
    assert.equal(await runs.isAlive('ffffffffffff'), false);
    const ctx: LeftoverContext = { workRoot, locks, runs, commands: new ProcessCommandRunner(quiet), log: quiet, signal: new AbortController().signal };
    const found = await findCoreLeftovers(ctx);
    assert.deepEqual(
      found.map((l) => l.id),
      [join(workRoot, 'ffffffffffff')],
    );
    await found[0]?.reclaim();
    assert.equal(existsSync(join(workRoot, 'ffffffffffff')), false, 'the owner file goes with the directory');
    assert.equal(existsSync(join(workRoot, 'eeeeeeeeeeee', '.owner')), true);
  });

  it('core finds stale locks and empty work directories of dead runs, never those of a live run', async () => {
    const { locksDir, workRoot, ctx } = fresh();
    const live = await new FileLockManager(locksDir, 'aaaaaaaaaaaa').tryAcquire(runLockName('aaaaaaaaaaaa'));
    assert.ok(live);
    mkdirSync(join(workRoot, 'aaaaaaaaaaaa', 'root'), { recursive: true });
    mkdirSync(join(workRoot, 'dddddddddddd', 'root'), { recursive: true });
    mkdirSync(join(workRoot, 'not-a-run'));
    writeStaleLock(locksDir, 'blockdevice-f', 'dddddddddddd');
    writeStaleLock(locksDir, runLockName('dddddddddddd'), 'dddddddddddd');
    const found = await findCoreLeftovers(ctx);
    assert.deepEqual(found.map((l) => `${l.kind} ${l.id.replace(workRoot, 'W')}`).sort(), [
      'directory W/dddddddddddd',
      'lock blockdevice-f',
      'lock run-dddddddddddd',
    ]);
    for (const leftover of inReclaimOrder(found)) await leftover.reclaim();
    assert.equal(existsSync(join(workRoot, 'dddddddddddd')), false);
    assert.equal(existsSync(join(workRoot, 'aaaaaaaaaaaa', 'root')), true);
    assert.deepEqual(
      (await ctx.locks.list()).map((l) => l.name),
      [runLockName('aaaaaaaaaaaa')],
    );
    await live.release();
  });

  it('removes a tree of empty directories, and refuses one holding a file', async () => {
    const { workRoot } = fresh();
    mkdirSync(join(workRoot, 'a', 'b', 'c'), { recursive: true });
    await removeEmptyTree(join(workRoot, 'a'));
    assert.equal(existsSync(join(workRoot, 'a')), false);
    mkdirSync(join(workRoot, 'x', 'y'), { recursive: true });
    writeFileSync(join(workRoot, 'x', 'y', 'data'), 'keep me');
    await assert.rejects(removeEmptyTree(join(workRoot, 'x')), { code: 'ENOTEMPTY' });
    assert.equal(existsSync(join(workRoot, 'x', 'y', 'data')), true);
    await removeEmptyTree(join(workRoot, 'missing'));
  });

  describe('LeftoverSweep', () => {
    const reclaimed: string[] = [];
    const leftover = (phase: Leftover['phase'], id: string, fail = false): Leftover => ({
      phase,
      kind: phase,
      id,
      reason: 'test',
      reclaim: async () => {
        if (fail) throw new Error(`cannot reclaim ${id}`);
        reclaimed.push(id);
      },
    });
    const plugin = (items: Leftover[]): BakePlugin => ({ findLeftovers: async () => items });
    // Built by a container as aminate builds it, not by position.
    const sweepOf = (plugins: BakePlugin[], locks: FileLockManager, workRoot: string): LeftoverSweep => {
      const run = container.createChildContainer();
      for (const [index, token] of [CLOUD, VOLUME, OS, PROVISIONER, FINALIZER].entries()) run.register(token, { useValue: plugins[index] ?? {} });
      run.register(LOCK_MANAGER, { useValue: locks });
      run.register(COMMAND_RUNNER, { useValue: new ProcessCommandRunner(quiet) });
      run.register(LOGGER, { useValue: quiet });
      run.register(BAKE_SETTINGS, { useValue: { workRoot, abortGraceMs: 0, failpoints: [] } });
      return run.resolve(LeftoverSweep);
    };

    it('reclaims holders first, goes on past a failure, reports each; a dry run only lists', async () => {
      const { locks, workRoot } = fresh();
      const shared = plugin([leftover('volumes', 'vol-1'), leftover('processes', 'pid-1')]);
      const plugins = [plugin([leftover('locks', 'lock-1'), leftover('mounts', 'mnt-1', true), leftover('devices', 'loop-1')]), shared, shared];
      reclaimed.length = 0;
      const listed = await sweepOf(plugins, locks, workRoot).sweep({ dryRun: true, signal: new AbortController().signal });
      assert.deepEqual(
        listed.map((e) => `${e.id}:${e.status}`),
        ['pid-1:found', 'mnt-1:found', 'loop-1:found', 'vol-1:found', 'lock-1:found'],
        'one plugin serving two kinds is asked once',
      );
      assert.deepEqual(reclaimed, []);
      const seen: string[] = [];
      const done = await sweepOf(plugins, locks, workRoot).sweep({ dryRun: false, signal: new AbortController().signal, onEntry: (e) => seen.push(e.id) });
      assert.deepEqual(
        done.map((e) => `${e.id}:${e.status}`),
        ['pid-1:reclaimed', 'mnt-1:failed', 'loop-1:reclaimed', 'vol-1:reclaimed', 'lock-1:reclaimed'],
      );
      assert.match(done[1]?.error?.message ?? '', /cannot reclaim mnt-1/);
      assert.deepEqual(
        seen,
        done.map((e) => e.id),
      );
      assert.deepEqual(reclaimed, ['pid-1', 'loop-1', 'vol-1', 'lock-1']);
      assert.deepEqual(await locks.list(), [], 'the sweep lock is released');
    });

    it('one sweep at a time; an abort stops between leftovers', async () => {
      const { locks, locksDir, workRoot } = fresh();
      const other = await new FileLockManager(locksDir, 'other').tryAcquire('aminate-cleanup');
      await assert.rejects(sweepOf([], locks, workRoot).sweep({ dryRun: false, signal: new AbortController().signal }), {
        code: 'E_LOCK',
        message: /another `aminate cleanup`/,
      });
      await other?.release();
      const abort = new AbortController();
      const stopping: Leftover = {
        ...leftover('processes', 'first'),
        reclaim: async () => {
          abort.abort();
        },
      };
      const entries = await sweepOf([plugin([stopping, leftover('volumes', 'second')])], locks, workRoot).sweep({ dryRun: false, signal: abort.signal });
      assert.deepEqual(
        entries.map((e) => e.id),
        ['first'],
      );
    });
  });
});
