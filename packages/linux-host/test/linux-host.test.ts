import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync as readdir, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProcessCommandRunner } from '@aminator/core/internal';
import { createTestStepContext, ROOT_ONLY } from '@aminator/testkit';
import { attachTestLoop, detachTestLoop, detachTestLoopIfAttached, sh } from '@aminator/testkit/linux';
import {
  attachLoop,
  blockDeviceBytes,
  chooseRootPartition,
  classifySpec,
  detachLoop,
  deviceNumbers,
  extFileSystemBytes,
  filesystemType,
  filesystemUuid,
  HostTools,
  hostDebianMirror,
  hostDebianSuite,
  isTailFromGoneNamespace,
  listLoops,
  loopGeometry,
  loopReads,
  overrideFile,
  type PartitionTable,
  PartitionTypes,
  pathInside,
  readExtSuperblock,
  requireHostTools,
  wholeFileOfLoop,
} from '../src/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'aminator-linux-host-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('pathInside', () => {
  const root = join(scratch, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  symlinkSync('/etc', join(root, 'hostetc'));
  symlinkSync('../run/x', join(root, 'etc', 'resolv.conf'));

  it('maps chroot paths below the root and refuses symlinks and ".."', () => {
    assert.equal(pathInside(root, '/etc/hostname'), join(root, 'etc', 'hostname'));
    assert.equal(pathInside(root, '/missing/deeper'), join(root, 'missing', 'deeper'));
    assert.throws(() => pathInside(root, '/hostetc/passwd'), { code: 'E_UNSAFE_PATH' });
    assert.throws(() => pathInside(root, '/etc/../../x'), { code: 'E_UNSAFE_PATH' });
    assert.throws(() => pathInside(root, '/etc/resolv.conf'), { code: 'E_UNSAFE_PATH' });
    assert.equal(pathInside(root, '/etc/resolv.conf', { leafMayBeLink: true }), join(root, 'etc', 'resolv.conf'));
  });
});

describe('overrideFile', () => {
  const root = join(scratch, 'override');
  mkdirSync(join(root, 'usr', 'bin'), { recursive: true });

  it('moves the original aside and restores it', async () => {
    writeFileSync(join(root, 'usr/bin/tool'), 'original');
    const { ctx, stack } = createTestStepContext({ runId: 'o1' });
    await overrideFile(root, '/usr/bin/tool', 'stub', { mode: 0o755 }, ctx);
    assert.equal(readFileSync(join(root, 'usr/bin/tool'), 'utf8'), 'stub');
    await stack.unwind({ reason: 'success' });
    assert.equal(readFileSync(join(root, 'usr/bin/tool'), 'utf8'), 'original');
  });

  it('keeps a file a package installed over the override, and drops the saved original', async () => {
    writeFileSync(join(root, 'usr/bin/pkgtool'), 'old');
    const { ctx, stack } = createTestStepContext({ runId: 'o2' });
    await overrideFile(root, '/usr/bin/pkgtool', 'stub', { mode: 0o755 }, ctx);
    writeFileSync(join(root, 'usr/bin/pkgtool'), 'new from package');
    await stack.unwind({ reason: 'success' });
    assert.equal(readFileSync(join(root, 'usr/bin/pkgtool'), 'utf8'), 'new from package');
    assert.deepEqual(
      readdir(join(root, 'usr/bin')).filter((f) => f.includes('aminator')),
      [],
    );
  });

  it('moves a symlink aside without writing through it', async () => {
    const victim = join(scratch, 'victim');
    writeFileSync(victim, 'host file');
    symlinkSync(victim, join(root, 'usr/bin/linked'));
    const { ctx, stack } = createTestStepContext({ runId: 'o3' });
    await overrideFile(root, '/usr/bin/linked', 'stub', { mode: 0o644, leafMayBeLink: true }, ctx);
    assert.equal(readFileSync(victim, 'utf8'), 'host file');
    await stack.unwind({ reason: 'success' });
    assert.equal(readlinkSync(join(root, 'usr/bin/linked')), victim);
  });
});

describe('chooseRootPartition', () => {
  const table = (partitions: PartitionTable['partitions']): PartitionTable => ({ label: 'gpt', sectorSize: 512, partitions });
  it('prefers a partition typed as Linux root, else the largest Linux file system', () => {
    const efi = { number: 1, start: 2048, size: 100, type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B' };
    const small = { number: 2, start: 4096, size: 1000, type: PartitionTypes.linuxFilesystem };
    const big = { number: 3, start: 8192, size: 9000, type: PartitionTypes.linuxFilesystem };
    const root = { number: 4, start: 20000, size: 10, type: PartitionTypes.rootX86_64 };
    assert.equal(chooseRootPartition(table([efi, small, big, root])).number, 4);
    assert.equal(chooseRootPartition(table([efi, small, big])).number, 3);
    assert.equal(chooseRootPartition(table([efi, small, big]), 2).number, 2);
    assert.throws(() => chooseRootPartition(table([efi])), { code: 'E_NO_ROOT_PARTITION' });
  });
});

describe('classifySpec', () => {
  const rules = { extension: '.deb', name: /^[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+~:-]+)?$/, pinSeparator: '=', example: 'hello' };
  it('tells names, pins, files and URLs apart and refuses the rest', () => {
    assert.deepEqual(classifySpec('hello=2.10-3', rules), { raw: 'hello=2.10-3', source: 'repository', name: 'hello', version: '2.10-3' });
    assert.equal(classifySpec('https://example.invalid/pool/hello_1_amd64.deb', rules).source, 'url');
    const file = join(scratch, 'pkg.deb');
    writeFileSync(file, 'x');
    assert.deepEqual(classifySpec(file, rules), { raw: file, source: 'file' });
    for (const bad of [
      '-oAPT::Get::x=1',
      'hello;reboot',
      'he llo',
      '$(id)',
      'Hello',
      '',
      'https://u:p@example.invalid/a.deb',
      'https://example.invalid/a.rpm',
      join(scratch, 'missing.deb'),
      'ftp://x/a.deb',
    ]) {
      assert.throws(() => classifySpec(bad, rules), { code: 'E_INVALID_INPUT' }, bad);
    }
  });
});

describe('host apt sources', () => {
  it('reads the mirror and suite from one-line and deb822 sources', () => {
    const apt = join(scratch, 'apt');
    mkdirSync(join(apt, 'sources.list.d'), { recursive: true });
    writeFileSync(
      join(apt, 'sources.list.d', 'debian.sources'),
      'Types: deb\nURIs: http://mirror.invalid/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.invalid/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n',
    );
    assert.equal(hostDebianMirror(apt), 'http://mirror.invalid/debian');
    writeFileSync(join(apt, 'sources.list'), '# comment\ndeb [arch=amd64] http://one.invalid/ubuntu jammy main\n');
    assert.equal(hostDebianMirror(apt), 'http://one.invalid/ubuntu');
    const osRelease = join(scratch, 'os-release');
    writeFileSync(osRelease, 'ID=debian\nVERSION_CODENAME=bookworm\n');
    assert.equal(hostDebianSuite(osRelease), 'bookworm');
  });
});

describe('block device and ext file system sizes', ROOT_ONLY, () => {
  it('reads the ext4 size from its superblock as dumpe2fs reports it, and a loop device size from sysfs', async () => {
    const image = join(scratch, 'ext.img');
    writeFileSync(image, '');
    sh('truncate', ['--size', '96M', image]);
    sh('mkfs.ext4', ['-q', '-F', image, '40M']);
    const header = sh('dumpe2fs', ['-h', image]);
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(header)?.[1]);
    assert.equal(await extFileSystemBytes(image), field('Block count') * field('Block size'));
    assert.equal(await extFileSystemBytes(image), 40 * 1024 * 1024);
    const loop = attachTestLoop(image, { size: 64 * 1024 * 1024 });
    try {
      assert.equal(await blockDeviceBytes(new ProcessCommandRunner(createTestStepContext().ctx.log), loop), 64 * 1024 * 1024);
    } finally {
      detachTestLoop(loop);
    }
    writeFileSync(join(scratch, 'not-ext.img'), Buffer.alloc(4096));
    assert.equal(await extFileSystemBytes(join(scratch, 'not-ext.img')), undefined);
  });

  it('reads the file system UUID as blkid reports it: ext4 from its superblock, xfs through blkid', async () => {
    const commands = new ProcessCommandRunner(createTestStepContext().ctx.log);
    const ext = join(scratch, 'uuid-ext.img');
    sh('truncate', ['--size', '32M', ext]);
    sh('mkfs.ext4', ['-q', '-F', ext]);
    assert.equal(await filesystemUuid(commands, ext), sh('blkid', ['--probe', '--output', 'value', '--match-tag', 'UUID', ext]).trim());
    const xfs = join(scratch, 'uuid-xfs.img');
    sh('truncate', ['--size', '320M', xfs]);
    sh('mkfs.xfs', ['-q', '-f', xfs]);
    assert.equal(await filesystemUuid(commands, xfs), sh('blkid', ['--probe', '--output', 'value', '--match-tag', 'UUID', xfs]).trim());
    assert.equal(await filesystemUuid(commands, join(scratch, 'not-ext.img')), undefined);
  });

  it('names the file system type as blkid does: ext2/3/4 (with and without a journal) in-process, xfs through blkid', async () => {
    const commands = new ProcessCommandRunner(createTestStepContext().ctx.log);
    const cases: [string, string, string[]][] = [
      ['ext2', 'mkfs.ext2', []],
      ['ext3', 'mkfs.ext3', []],
      ['ext4', 'mkfs.ext4', []],
      ['ext4-nojournal', 'mkfs.ext4', ['-O', '^has_journal']],
      ['ext3-dir-index', 'mkfs.ext3', ['-O', 'dir_index']],
    ];
    for (const [name, mkfs, options] of cases) {
      const image = join(scratch, `type-${name}.img`);
      sh('truncate', ['--size', '32M', image]);
      sh(mkfs, [...options, '-q', '-F', image]);
      const blkid = sh('blkid', ['--probe', '--output', 'value', '--match-tag', 'TYPE', image]).trim();
      assert.equal((await readExtSuperblock(image))?.type, blkid, name);
      assert.equal(await filesystemType(commands, image), blkid, name);
    }
    const xfs = join(scratch, 'type-xfs.img');
    sh('truncate', ['--size', '320M', xfs]);
    sh('mkfs.xfs', ['-q', '-f', xfs]);
    assert.equal(await filesystemType(commands, xfs), 'xfs');
    const empty = join(scratch, 'type-empty.img');
    writeFileSync(empty, Buffer.alloc(64 * 1024));
    assert.equal(await filesystemType(commands, empty), '');
  });
});

describe('detachLoop', ROOT_ONLY, () => {
  it('returns only once a device someone still holds open is really gone (the kernel frees it at the last close)', async () => {
    const image = join(scratch, 'held.img');
    writeFileSync(image, Buffer.alloc(4 * 1024 * 1024));
    const commands = new ProcessCommandRunner(createTestStepContext().ctx.log);
    const loop = await attachLoop(commands, image);
    const backing = `/sys/block/${loop.slice('/dev/'.length)}/loop/backing_file`;
    const holder = await open(loop, 'r');
    const order: string[] = [];
    try {
      const detached = detachLoop(commands, loop).then(() => order.push('detached'));
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.equal(readFileSync(backing, 'utf8').trim(), image, 'still attached while held');
      order.push('closed');
      await holder.close();
      await detached;
      assert.deepEqual(order, ['closed', 'detached']);
      assert.throws(() => readFileSync(backing), { code: 'ENOENT' });
    } finally {
      await holder.close().catch(() => undefined);
      detachTestLoopIfAttached(loop);
    }
  });
});

describe('wholeFileOfLoop', ROOT_ONLY, () => {
  it('names the file a loop device shows whole, so a partition is attached over the file and not stacked on the device', async () => {
    const image = join(scratch, 'whole.img');
    writeFileSync(image, Buffer.alloc(4 * 1024 * 1024));
    const commands = new ProcessCommandRunner(createTestStepContext().ctx.log);
    const whole = attachTestLoop(image);
    const part = attachTestLoop(image, { offset: 1024 * 1024, size: 2 * 1024 * 1024 });
    const stacked = attachTestLoop(whole);
    try {
      assert.deepEqual(await loopGeometry(part), { backingFile: image, offset: 1024 * 1024, sizeLimit: 2 * 1024 * 1024 });
      assert.deepEqual(await loopGeometry(whole), { backingFile: image, offset: 0, sizeLimit: 0 });
      assert.equal(await loopGeometry(image), undefined, 'a file is no loop device');
      assert.equal(await wholeFileOfLoop(commands, whole), image);
      assert.equal(await wholeFileOfLoop(commands, part), undefined, 'a byte range of the file is not the whole file');
      assert.equal(await wholeFileOfLoop(commands, stacked), undefined, 'backed by a device, not a file');
      assert.equal(await wholeFileOfLoop(commands, image), undefined, 'not a loop device at all');
      // Another file mounted over the path, as another mount namespace shows names: the name the kernel
      // reports now leads to a different inode, which must not be taken for the device's file.
      const other = join(scratch, 'other.img');
      writeFileSync(other, Buffer.alloc(4096));
      sh('mount', ['--bind', other, image]);
      try {
        assert.equal(await wholeFileOfLoop(commands, whole), undefined, 'the file at the path is not the one the device holds');
      } finally {
        sh('umount', [image]);
      }
      assert.equal(await wholeFileOfLoop(commands, whole), image, 'the same file again once the mount is gone');
      // Deleted: the kernel names it '… (deleted)', and another file may now be at the path.
      rmSync(image);
      writeFileSync(image, Buffer.alloc(4 * 1024 * 1024));
      assert.equal(await wholeFileOfLoop(commands, whole), undefined, 'the attached file is gone from its path');
    } finally {
      for (const loop of [stacked, part, whole]) detachTestLoopIfAttached(loop);
    }
  });
});

describe('loop devices where /dev is a static copy (a container)', ROOT_ONLY, () => {
  it('makes the node of the device the kernel handed out, attaches, and removes the node again at detach', () => {
    const image = join(scratch, 'static-dev.img');
    writeFileSync(image, Buffer.alloc(4 * 1024 * 1024));
    const dist = join(fileURLToPath(import.meta.url), '..', '..', 'src', 'loop-devices.js');
    const core = import.meta.resolve('@aminator/core/internal');
    // In a mount namespace of its own, /dev is a tmpfs with only null and loop-control: every loop
    // device the kernel hands out has no node, as in a privileged container started before it existed.
    const script = `
      import { attachLoop, detachLoop } from ${JSON.stringify(dist)};
      import { ProcessCommandRunner } from ${JSON.stringify(core)};
      import { existsSync, readdirSync } from 'node:fs';
      const log = { debug() {}, info() {}, warn() {}, error() {} };
      const commands = new ProcessCommandRunner(log);
      const before = readdirSync('/dev');
      const loop = await attachLoop(commands, process.argv[1]);
      const attached = existsSync(loop);
      await detachLoop(commands, loop);
      // A loop another container left (attached before this /dev existed): cleanup detaches it all the same.
      await detachLoop(commands, process.argv[2]);
      console.log(JSON.stringify({ before, loop, attached, after: readdirSync('/dev') }));
    `;
    const leftoverFile = join(scratch, 'left-by-another.img');
    writeFileSync(leftoverFile, Buffer.alloc(4 * 1024 * 1024));
    const leftover = attachTestLoop(leftoverFile);
    const setup = 'mount -t tmpfs -o mode=0755 tmpfs /dev && mknod -m 0666 /dev/null c 1 3 && mknod -m 0600 /dev/loop-control c 10 237 && exec "$0" "$@"';
    let out: ReturnType<typeof spawnSync>;
    try {
      out = spawnSync(
        'unshare',
        ['--mount', '--propagation', 'private', '--', 'sh', '-c', setup, process.execPath, '--input-type=module', '-e', script, image, leftover],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(out.status, 0, String(out.stderr));
      // Detached, the device shows no file; another test file may already have taken its number for one of its own.
      const shows = (() => {
        try {
          return readFileSync(`/sys/block/${leftover.slice('/dev/'.length)}/loop/backing_file`, 'utf8').trim();
        } catch (error) {
          assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT');
          return undefined;
        }
      })();
      assert.notEqual(shows, leftoverFile, 'the leftover was detached from inside');
    } finally {
      detachTestLoopIfAttached(leftover);
    }
    const result = JSON.parse(String(out.stdout).trim().split('\n').at(-1) as string);
    assert.deepEqual(result.before.sort(), ['loop-control', 'null']);
    assert.match(result.loop, /^\/dev\/loop\d+$/);
    assert.equal(result.attached, true, 'the node was made and the file attached to it');
    assert.deepEqual(result.after.sort(), ['loop-control', 'null'], 'the node made is removed again');
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(image), false);
  });
});

describe('loop devices in a static /dev, raced for a number', ROOT_ONLY, () => {
  it('attaches the device whose node it made; when another takes that number first, it attaches the next and removes the node it made once that device is free', () => {
    const mine = join(scratch, 'raced-mine.img');
    const theirs = join(scratch, 'raced-theirs.img');
    for (const file of [mine, theirs]) writeFileSync(file, Buffer.alloc(4 * 1024 * 1024));
    const dist = join(fileURLToPath(import.meta.url), '..', '..', 'src', 'loop-devices.js');
    const core = import.meta.resolve('@aminator/core/internal');
    // The runner stands in for a second bake in the same container: right after attachLoop makes a
    // node, that bake attaches its own file to the device through it.
    const script = `
      import { attachLoop, detachLoop } from ${JSON.stringify(dist)};
      import { ProcessCommandRunner } from ${JSON.stringify(core)};
      import { execFileSync } from 'node:child_process';
      import { readdirSync } from 'node:fs';
      const log = { debug() {}, info() {}, warn() {}, error() {} };
      const real = new ProcessCommandRunner(log);
      let taken;
      const commands = {
        async run(file, args, options) {
          const result = await real.run(file, args, options);
          if (file === 'mknod' && taken === undefined) {
            taken = args[2];
            execFileSync('losetup', [taken, process.argv[2]]);
          }
          return result;
        },
      };
      let loop;
      try {
        loop = await attachLoop(commands, process.argv[1]);
        const during = readdirSync('/dev');
        execFileSync('losetup', ['--detach', taken]);
        await detachLoop(commands, loop);
        console.log(JSON.stringify({ taken, loop, during, after: readdirSync('/dev') }));
      } finally {
        for (const device of [taken, loop]) if (device) try { execFileSync('losetup', ['--detach', device], { stdio: 'ignore' }); } catch {}
      }
    `;
    const setup = 'mount -t tmpfs -o mode=0755 tmpfs /dev && mknod -m 0666 /dev/null c 1 3 && mknod -m 0600 /dev/loop-control c 10 237 && exec "$0" "$@"';
    const out = spawnSync(
      'unshare',
      ['--mount', '--propagation', 'private', '--', 'sh', '-c', setup, process.execPath, '--input-type=module', '-e', script, mine, theirs],
      { encoding: 'utf8' },
    );
    assert.equal(out.status, 0, String(out.stderr));
    const result = JSON.parse(String(out.stdout).trim().split('\n').at(-1) as string);
    assert.match(result.taken, /^\/dev\/loop\d+$/);
    assert.notEqual(result.loop, result.taken, 'the number the other took is not attached twice');
    assert.ok(result.during.includes(result.taken.slice('/dev/'.length)), 'the node the other holds stays while its device is attached');
    assert.deepEqual(result.after.sort(), ['loop-control', 'null'], 'both nodes made are gone once their devices are free');
    for (const file of [mine, theirs]) assert.equal(spawnSync('losetup', ['--associated', file], { encoding: 'utf8' }).stdout, '', `${file} is detached`);
  });
});

describe('loopReads: the file a loop reads, also as a gone container names it', () => {
  it("matches the kernel's own name, and the tail a gone mount namespace leaves, never a file of its own or a partial name", () => {
    const file = join(scratch, 'store', 'volumes', 'vol-0123456789ab.raw');
    const loop = (backFile: string) => ({ name: '/dev/loop9', backFile, offset: 0 });
    assert.equal(loopReads(loop(file), file), true);
    assert.equal(loopReads(loop(`${file} (deleted)`), file), true);
    assert.equal(loopReads(loop('/store/volumes/vol-0123456789ab.raw'), file), true, 'the store bind-mounted from above');
    assert.equal(loopReads(loop('/store/volumes/vol-0123456789ab.raw (deleted)'), file), true);
    assert.equal(loopReads(loop('/vol-0123456789ab.raw'), file), true, 'the volumes directory itself bind-mounted');
    assert.equal(loopReads(loop('/volumes/xvol-0123456789ab.raw'), file), false, 'a name that only ends the same');
    assert.equal(loopReads(loop('vol-0123456789ab.raw'), file), false, 'not a path');
    assert.equal(loopReads(loop('/store/volumes/vol-ffffffffffff.raw'), file), false);
    // A path that is a file here is that file, not a tail of another.
    mkdirSync(join(scratch, 'here'), { recursive: true });
    const real = join(scratch, 'here', 'vol-0123456789ab.raw');
    writeFileSync(real, '');
    assert.equal(isTailFromGoneNamespace(real, join('/elsewhere', real)), false);
  });
});

describe('deviceNumbers', () => {
  it('splits a device number as glibc does, large majors and minors included', () => {
    assert.deepEqual(deviceNumbers(BigInt(statSync('/dev/null').rdev)), { major: 1, minor: 3 });
    const [major, minor] = [300n, 70_000n];
    const rdev = ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);
    assert.deepEqual(deviceNumbers(rdev), { major: 300, minor: 70_000 });
  });
});

describe('listLoops', ROOT_ONLY, () => {
  it('reads from sysfs what `losetup --list` reports: name, backing file (deleted ones too) and offset', async () => {
    const image = join(scratch, 'listed.img');
    writeFileSync(image, Buffer.alloc(4 * 1024 * 1024));
    const whole = attachTestLoop(image);
    const part = attachTestLoop(image, { offset: 1024 * 1024 });
    try {
      rmSync(image);
      const ours = (await listLoops()).filter((l) => l.name === whole || l.name === part);
      const reported = JSON.parse(sh('losetup', ['--json', '--list', '--output', 'NAME,BACK-FILE,OFFSET'])) as {
        loopdevices: Array<{ name: string; 'back-file': string; offset: number }>;
      };
      const expected = reported.loopdevices
        .filter((l) => l.name === whole || l.name === part)
        .map((l) => ({ name: l.name, backFile: l['back-file'], offset: Number(l.offset) }));
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      assert.deepEqual(ours.sort(byName), expected.sort(byName));
      assert.equal(ours.find((l) => l.name === part)?.offset, 1024 * 1024);
      assert.equal(ours.find((l) => l.name === whole)?.backFile, `${image} (deleted)`);
    } finally {
      detachTestLoopIfAttached(part);
      detachTestLoopIfAttached(whole);
    }
  });
});

describe('listLoops while loop devices come and go', ROOT_ONLY, () => {
  it('counts a device being detached as free instead of failing (sysfs answers ENODEV then)', async () => {
    const image = join(scratch, 'churn.img');
    writeFileSync(image, Buffer.alloc(1024 * 1024));
    // Another process attaches and detaches meanwhile, as parallel bakes and tests do.
    const churner = [
      "const { execFileSync } = require('node:child_process');",
      'for (let i = 0; i < 150; i++) {',
      "  const loop = execFileSync('losetup', ['--find', '--show', '--', process.argv[1]], { encoding: 'utf8' }).trim();",
      "  execFileSync('losetup', ['--detach', loop]);",
      '}',
    ].join('\n');
    const churn = spawn(process.execPath, ['-e', churner, image], { stdio: 'ignore' });
    const done = new Promise((resolve) => churn.once('exit', resolve));
    let running = true;
    void done.then(() => {
      running = false;
    });
    let listed = 0;
    try {
      while (running) {
        await listLoops();
        listed++;
      }
      assert.equal(await done, 0, 'the churning process attached and detached 150 times');
      assert.ok(listed > 10, `listed ${listed} times meanwhile`);
    } finally {
      churn.kill('SIGKILL');
      await done;
      for (const line of sh('losetup', ['--list', '--noheadings', '--output', 'NAME,BACK-FILE']).split('\n')) {
        const [name, file] = line.trim().split(/\s+/);
        if (name && file === image) detachTestLoopIfAttached(name);
      }
    }
  });
});

describe('requireHostTools (no root needed)', () => {
  it('passes when the tools are on PATH and names the Debian packages of those that are not', () => {
    requireHostTools([HostTools.losetup, HostTools.mount], { path: '/usr/sbin:/usr/bin:/sbin:/bin', needsRoot: false });
    const empty = join(scratch, 'empty-bin');
    mkdirSync(empty);
    writeFileSync(join(empty, 'debootstrap'), '#!/bin/sh\n', { mode: 0o644 });
    assert.throws(
      () => requireHostTools([HostTools.debootstrap, HostTools.qemuImg, HostTools.mkfsXfs, HostTools.xfsGrowfs], { path: empty, needsRoot: false }),
      (e: any) =>
        e.code === 'E_TOOL_MISSING' &&
        e.exitCode === 2 &&
        /debootstrap, qemu-img, mkfs.xfs, xfs_growfs/.test(e.message) &&
        e.suggestions[0] === 'apt-get install debootstrap qemu-utils xfsprogs',
    );
  });

  it('refuses a user that is not root with E_NOT_ROOT (exit 2) and says how, before looking for tools', () => {
    // As whoever runs the tests: another user directly, root through setpriv as nobody.
    const entry = fileURLToPath(new URL('../src/index.js', import.meta.url));
    const probe = `import(${JSON.stringify(entry)}).then((m) => { try { m.requireHostTools([m.HostTools.losetup], { path: '/nonexistent' }); console.log('{}'); } catch (e) { console.log(JSON.stringify({ code: e.code, exitCode: e.exitCode, suggestions: e.suggestions })); } });`;
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
    const refused = JSON.parse(sh(asUser[0] as string, [...asUser.slice(1), '-e', probe]));
    assert.deepEqual(refused, { code: 'E_NOT_ROOT', exitCode: 2, suggestions: ['run it with sudo, or as root'] });
  });
});
