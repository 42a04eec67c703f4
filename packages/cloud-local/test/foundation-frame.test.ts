import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CleanupStack, ExecaCommandRunner, FileLockManager, type PluginCommandContext } from '@aminator/core';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { buildFoundation } from '../src/foundation/build-foundation.js';
import { foundationOptions } from '../src/foundation/foundation-options.js';
import { LocalImageStore } from '../src/local-image-store.js';

describe('aminate foundation runs in a bake’s frame', ROOT_ONLY, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-foundation-frame-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('refuses a work root others can write before it stages or mounts anything, and leaves no lock behind', async () => {
    const workRoot = join(scratch, 'work');
    mkdirSync(workRoot);
    chmodSync(workRoot, 0o777);
    const locksDir = join(scratch, 'locks');
    const log = createTestStepContext().ctx.log;
    const cleanup = new CleanupStack();
    const ctx = {
      config: {},
      json: false,
      debug: false,
      commands: new ExecaCommandRunner(log),
      locks: new FileLockManager(locksDir, 'test'),
      log,
      signal: new AbortController().signal,
      cleanup,
      workRoot,
      print: () => undefined,
    } as PluginCommandContext;
    const store = new LocalImageStore(join(scratch, 'store'), ctx.commands);
    await assert.rejects(
      buildFoundation(foundationOptions({ name: 'frame-test', minimal: true, suite: 'bookworm', mirror: 'http://127.0.0.1:9/debian' }), store, ctx),
      {
        code: 'E_UNSAFE_PATH',
      },
    );
    assert.deepEqual((await cleanup.unwind({ reason: 'failure' })).errors, []);
    assert.deepEqual(readdirSync(workRoot), [], 'no work directory made');
    assert.equal(existsSync(join(scratch, 'store', 'images')) ? readdirSync(join(scratch, 'store', 'images')).length : 0, 0, 'nothing staged');
    assert.deepEqual(readdirSync(locksDir), [], 'the run lock was released');
  });
});
