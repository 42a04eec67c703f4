import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { extractRootfs } from './debootstrap-cache.js';
import { assertNoLeaks, type HostSnapshot, snapshotHost } from './host-snapshot.js';
import { mountsBelow, removeTreeSafely } from './remove-tree.js';

export interface ScratchRootOptions {
  /** Name prefix of the scratch directory (unique per run). */
  readonly prefix: string;
  /** The root file system tarball to unpack (built lazily, in `before`). */
  readonly tarball: () => string;
  /** Runs after the tests, before the checks: unwind what the suite prepared. */
  readonly teardown?: () => Promise<unknown>;
}

export interface ScratchRoot {
  readonly scratch: string;
  readonly root: string;
}

/**
 * For a `describe` block: a scratch directory with `root/` unpacked from a tarball before the tests;
 * after them, `teardown`, then a check that nothing is mounted below the root, a removal that never
 * deletes through a mount, and a check that the host holds no loop device, mount or lock it did not
 * hold before.
 */
export function useScratchRoot(options: ScratchRootOptions): ScratchRoot {
  const scratch = mkdtempSync(join(tmpdir(), `${options.prefix}-`));
  const root = join(scratch, 'root');
  let host: HostSnapshot;
  before(() => {
    host = snapshotHost();
    mkdirSync(root);
    extractRootfs(options.tarball(), root);
  });
  after(async () => {
    try {
      await options.teardown?.();
    } finally {
      const leftover = mountsBelow(root);
      removeTreeSafely(scratch);
      assert.deepEqual(leftover, [], 'nothing is left mounted below the root');
      assertNoLeaks(host, { within: [scratch] });
    }
  });
  return { scratch, root };
}
