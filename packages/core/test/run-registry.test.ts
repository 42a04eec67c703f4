import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileLockManager, LockRunLiveness, newRunId } from '../src/internal.js';
import { RUN_REGISTRY, registeredRun, registerRun } from '../src/reclaim/run-registry.js';
import { TempTree } from './temp-packages.js';

const ROOT_ONLY: { skip?: string } = process.getuid?.() === 0 ? {} : { skip: `needs root to write ${RUN_REGISTRY}` };

describe('the run registry: whether a run is alive does not depend on the flags a cleanup was given', ROOT_ONLY, () => {
  const tree = new TempTree();
  after(() => tree.remove());

  it('a registered run is alive to a liveness check with any lock directory and work root, and dead once unregistered', async () => {
    const runId = newRunId();
    const unregister = await registerRun(runId);
    const elsewhere = new LockRunLiveness(new FileLockManager(join(tree.root, 'other-locks'), newRunId()), join(tree.root, 'other-work'));
    try {
      assert.equal((await registeredRun(runId))?.pid, process.pid);
      assert.equal(await elsewhere.isAlive(runId), true);
    } finally {
      await unregister();
    }
    assert.equal(await registeredRun(runId), undefined);
    assert.equal(await elsewhere.isAlive(runId), false);
  });

  it("a dead run's entry reads as dead, and the next run to register removes it", async () => {
    const dead = newRunId();
    writeFileSync(join(RUN_REGISTRY, dead), JSON.stringify({ pid: 2 ** 22 + 7, runId: dead }), { mode: 0o600 });
    const liveness = new LockRunLiveness(new FileLockManager(join(tree.root, 'locks'), newRunId()));
    assert.equal(await liveness.isAlive(dead), false);
    const unregister = await registerRun(newRunId());
    await unregister();
    assert.equal(existsSync(join(RUN_REGISTRY, dead)), false);
  });
});
