import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jsonLines, ROOT_ONLY } from '@aminator/testkit';
import { withDiskMounted } from './fixtures.js';
import { type LocalWorld, openLocalWorld } from './local-world.js';

/**
 * What a privileged container sees: /dev a static copy made at its start, so a loop device the kernel
 * hands out later has no node (moby#27886, podman#9621). Reproduced without a container runtime: aminate
 * runs in a mount namespace whose /dev is a tmpfs with the usual character devices and loop-control only.
 */
const STATIC_DEV = `set -e
mount -t tmpfs -o mode=0755 tmpfs /dev
mknod -m 0666 /dev/null c 1 3; mknod -m 0666 /dev/zero c 1 5; mknod -m 0666 /dev/full c 1 7
mknod -m 0666 /dev/random c 1 8; mknod -m 0666 /dev/urandom c 1 9; mknod -m 0666 /dev/tty c 5 0
mknod -m 0600 /dev/loop-control c 10 237
mkdir /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
ln -s pts/ptmx /dev/ptmx
exec "$@"
`;

describe('a bake where /dev is a static copy, as in a privileged container', ROOT_ONLY, () => {
  let world: LocalWorld;
  before(async () => {
    world = await openLocalWorld('aminator-e2e-staticdev-');
  });
  after(() => world?.close());

  it('makes the loop nodes it needs, bakes, and leaves no loop device, mount or node behind', async () => {
    const script = join(world.scratch, 'static-dev.sh');
    writeFileSync(script, STATIC_DEV, { mode: 0o755 });
    const result = await world.aminate(['--json', 'bake', '--suffix', 'static', 'hello'], {
      prefix: ['unshare', '--mount', '--propagation', 'private', '--', 'sh', script],
    });
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.equal(last.status, 'succeeded');
    const disk = join(world.store, 'images', String(last.image.id), 'disk.raw');
    await withDiskMounted(disk, (root) => assert.ok(existsSync(join(root, 'usr/bin/hello'))));
    // The device nodes the bake made lived in the namespace's /dev; the host's /dev is untouched.
    assert.ok(readdirSync('/dev').includes('loop-control'));
    world.assertNothingLeft();
  });
});
