import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT_ONLY } from '@aminator/testkit';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { type LocalWorld, openLocalWorld } from './local-world.js';

interface HostileCase {
  /** What is wrong, as listed in docs/RELIABILITY.md. */
  readonly what: string;
  readonly args: readonly string[];
  /** Config file content instead of the world's. */
  readonly config?: unknown;
  readonly env?: Record<string, string>;
  readonly ec2?: boolean;
  /** The message must say what is wrong. */
  readonly says: RegExp;
  /** Make what the case needs under the scratch directory; `{scratch}` in args is replaced by its path. */
  readonly prepare?: (scratch: string) => void;
}

const LONG = 'a'.repeat(300);

/** Hostile or malformed input: each must be refused with exit 2 and a clear message, nothing created. */
const CASES: readonly HostileCase[] = [
  // Package specs
  { what: 'apt option injection as the package', args: ['bake', '--', '-oAPT::Get::AllowUnauthenticated=true'], says: /package/i },
  { what: 'dpkg option injection as the package', args: ['bake', '--', '--force-all'], says: /package/i },
  { what: 'shell command separator in the package', args: ['bake', 'hello;rm -rf /'], says: /package/i },
  { what: 'shell && in the package', args: ['bake', 'hello && reboot'], says: /package/i },
  { what: 'command substitution $( ) in the package', args: ['bake', '$(id)'], says: /package/i },
  { what: 'backticks in the package', args: ['bake', '`id`'], says: /package/i },
  { what: 'pipe in the package', args: ['bake', 'hello|sh'], says: /package/i },
  { what: 'newline in the package', args: ['bake', 'hello\nrm'], says: /package/i },
  { what: 'glob in the package', args: ['bake', 'hello*'], says: /package/i },
  { what: 'injection in the version pin', args: ['bake', 'hello=2.10;id'], says: /package|version/i },
  { what: 'empty version pin', args: ['bake', 'hello='], says: /package|version/i },
  { what: 'empty package', args: ['bake', ''], says: /package/i },
  { what: 'upper-case package name', args: ['bake', 'Hello'], says: /package/i },
  { what: '300-character package name', args: ['bake', LONG], says: /package/i },
  { what: 'package file that does not exist', args: ['bake', './missing_1.0_all.deb'], says: /missing_1\.0_all\.deb/ },
  { what: 'package path leading out through ../', args: ['bake', '../../../../etc/shadow.deb'], says: /shadow\.deb/ },
  {
    what: 'package file built for another architecture than the base image',
    args: ['bake', '{scratch}/foreign_1.0_arm64.deb'],
    prepare: (d) => buildDeb(d, 'foreign', 'arm64'),
    says: /foreign_1\.0_arm64\.deb is built for arm64, the base image is x86_64/,
  },
  { what: 'file:// URL', args: ['bake', 'file:///etc/shadow'], says: /package|url|scheme/i },
  { what: 'ftp:// URL', args: ['bake', 'ftp://example.invalid/a.deb'], says: /package|url|scheme/i },
  { what: 'URL with credentials', args: ['bake', 'https://user:secret@example.invalid/a.deb'], says: /credential|password|user/i },
  // Image names, tags, base images
  { what: 'suffix with ../', args: ['bake', '--suffix', '../../x', 'hello'], says: /suffix|name/i },
  { what: 'suffix with a space', args: ['bake', '--suffix', 'a b', 'hello'], says: /suffix|name/i },
  { what: 'suffix with a shell metacharacter', args: ['bake', '--suffix', 'x;id', 'hello'], says: /suffix|name/i },
  { what: '300-character suffix', args: ['bake', '--suffix', LONG, 'hello'], says: /suffix|name|long/i },
  { what: 'tag without =', args: ['bake', '--tag', 'novalue', 'hello'], says: /tag/i },
  { what: 'tag with an empty key', args: ['bake', '--tag', '=value', 'hello'], says: /tag/i },
  { what: 'tag with a reserved aws: key', args: ['bake', '--tag', 'aws:x=1', 'hello'], says: /tag|aws:/i },
  { what: 'tag with a newline', args: ['bake', '--tag', 'k=v\nx', 'hello'], says: /tag/i },
  { what: 'base image with ../', args: ['bake', '--base-image', '../../etc', 'hello'], says: /image/i },
  { what: 'base image with a shell metacharacter', args: ['bake', '--base-image', 'img-1;id', 'hello'], says: /image/i },
  // Sizes
  { what: 'negative volume size', args: ['bake', '--volume-size', '-1G', 'hello'], says: /size/i },
  { what: 'volume size with an unknown unit', args: ['bake', '--volume-size', '1Q', 'hello'], says: /size/i },
  { what: 'volume size of 0', args: ['bake', '--volume-size', '0', 'hello'], says: /size/i },
  { what: 'absurd volume size (1 EiB)', args: ['bake', '--volume-size', '1048576T', 'hello'], says: /size/i },
  // Paths and devices
  { what: 'relative store path', args: ['bake', '--store', 'relative/store', 'hello'], says: /store|absolute/i },
  { what: 'store path with ..', args: ['bake', '--store', '/tmp/../etc', 'hello'], says: /store|\.\./i },
  { what: 'relative work root', args: ['bake', '--work-root', 'work', 'hello'], says: /workRoot|absolute/i },
  { what: 'lock directory with ..', args: ['bake', '--lock-dir', '/run/../etc', 'hello'], says: /lockDir|\.\./i },
  { what: 'block device outside /dev', args: ['-e', 'ec2_apt_linux', 'bake', '--block-device', '/etc/passwd', 'hello'], says: /cloud\.ec2\.device/ },
  { what: 'block device path with ..', args: ['-e', 'ec2_apt_linux', 'bake', '--block-device', '/dev/../etc/passwd', 'hello'], says: /cloud\.ec2\.device/ },
  {
    what: 'block device with a shell metacharacter',
    args: ['-e', 'ec2_apt_linux', 'bake', '--block-device', '/dev/sdf;id', 'hello'],
    says: /cloud\.ec2\.device/,
  },
  { what: 'partition number 0', args: ['bake', '--partition', '0', 'hello'], says: /partition/i },
  { what: 'partition number not a number', args: ['bake', '--partition', 'one', 'hello'], says: /partition|number/i },
  { what: 'unknown device prefix', args: ['-e', 'ec2_apt_linux', 'bake', '--device-prefix', 'hd', 'hello'], says: /devicePrefix/ },
  {
    what: 'store that is a symlink',
    args: ['bake', '--store', '{scratch}/store-link', 'hello'],
    prepare: (d) => {
      mkdirSync(join(d, 'elsewhere'), { recursive: true });
      symlinkSync(join(d, 'elsewhere'), join(d, 'store-link'));
    },
    says: /symlink/,
  },
  {
    what: 'store writable by other users',
    args: ['bake', '--store', '{scratch}/open-store', 'hello'],
    prepare: (d) => {
      mkdirSync(join(d, 'open-store'), { recursive: true });
      chmodSync(join(d, 'open-store'), 0o777);
    },
    says: /writable by other users/,
  },
  {
    what: 'work root that is a symlink',
    args: ['bake', '--work-root', '{scratch}/work-link', 'hello'],
    prepare: (d) => {
      mkdirSync(join(d, 'work-target'), { recursive: true });
      symlinkSync(join(d, 'work-target'), join(d, 'work-link'), 'dir');
    },
    says: /work root .* symlink/,
  },
  {
    what: 'lock directory writable by other users',
    args: ['bake', '--lock-dir', '{scratch}/open-locks', 'hello'],
    prepare: (d) => {
      mkdirSync(join(d, 'open-locks'), { recursive: true });
      chmodSync(join(d, 'open-locks'), 0o1777);
    },
    says: /lock directory/,
  },
  // Config files, environments, failpoints
  { what: 'config file with an unknown key', args: ['bake', 'hello'], config: { workRot: '/tmp/x' }, says: /workRot/ },
  { what: 'config file with a relative workRoot', args: ['bake', 'hello'], config: { workRoot: 'work' }, says: /workRoot/ },
  { what: 'config file with a store path using ..', args: ['bake', 'hello'], config: { cloud: { local: { store: '/var/../etc' } } }, says: /store/ },
  {
    what: 'config file with an unknown key in a plugin section',
    args: ['bake', 'hello'],
    config: { provisioner: { apt: { preInstall: 'curl | sh' } } },
    says: /preInstall/,
  },
  { what: 'config file that is not valid JSON', args: ['bake', 'hello'], config: '{"workRoot": ', says: /config/i },
  {
    what: 'environment naming a plugin that is not installed',
    args: ['bake', 'hello'],
    config: {
      environment: 'evil',
      environments: { evil: { cloud: 'local', volume: 'linux', os: 'debian', provisioner: 'nope', finalizer: 'local' } },
    },
    says: /nope/,
  },
  { what: 'unknown environment', args: ['-e', 'nope', 'bake', 'hello'], says: /nope/ },
  { what: 'environment name with ../', args: ['-e', '../x', 'bake', 'hello'], says: /environment/i },
  { what: 'config file that does not exist', args: ['-c', '/nonexistent/aminator.json', 'bake', 'hello'], says: /nonexistent/ },
  { what: 'unknown failpoint step', args: ['bake', 'hello'], env: { AMINATOR_FAILPOINTS: 'reboot:error' }, says: /AMINATOR_FAILPOINTS/ },
  { what: 'unknown flag', args: ['bake', '--yes-really', 'hello'], says: /unknown option/i },
  // EC2 (no API call may be made for any of these)
  { what: 'EC2: base image name without an owner', ec2: true, args: ['bake', '--base-image-name', 'debian-12-*', 'hello'], says: /owner/i },
  {
    what: 'EC2: owner that is no account id or alias',
    ec2: true,
    args: ['bake', '--base-image-name', 'd', '--base-image-owner', 'evil;id', 'hello'],
    says: /owner/i,
  },
  {
    what: 'EC2: region with a shell metacharacter',
    ec2: true,
    args: ['bake', '--region', 'us-east-1;id', '--base-image', 'ami-12345678', 'hello'],
    says: /region/i,
  },
  { what: 'EC2: malformed base AMI id', ec2: true, args: ['bake', '--base-image', 'ami-zz', 'hello'], says: /ami|image/i },
  { what: 'EC2: malformed KMS key', ec2: true, args: ['bake', '--base-image', 'ami-12345678', '--encrypted', '--kms-key-id', 'key;id', 'hello'], says: /kms/i },
  {
    what: 'EC2: share with a malformed account',
    ec2: true,
    args: ['bake', '--base-image', 'ami-12345678', '--share-with', '123', 'hello'],
    says: /share|account/i,
  },
  {
    what: 'EC2: deprecation time that is not ISO 8601',
    ec2: true,
    args: ['bake', '--base-image', 'ami-12345678', '--deprecate-at', 'tomorrow', 'hello'],
    says: /deprecat/i,
  },
  { what: 'EC2: copy to a malformed region', ec2: true, args: ['bake', '--base-image', 'ami-12345678', '--copy-to-region', '../x', 'hello'], says: /region/i },
  { what: 'EC2: negative iops', ec2: true, args: ['bake', '--base-image', 'ami-12345678', '--iops', '-5', 'hello'], says: /iops/i },
  { what: 'EC2: unknown volume type', ec2: true, args: ['bake', '--base-image', 'ami-12345678', '--volume-type', 'floppy', 'hello'], says: /volume.?type/i },
  { what: 'EC2: malformed instance id', ec2: true, args: ['bake', '--base-image', 'ami-12345678', '--instance-id', 'i-$(id)', 'hello'], says: /instance/i },
];

/** A minimal .deb of `arch` in `dir`, built by dpkg-deb. */
function buildDeb(dir: string, name: string, arch: string): void {
  const tree = join(dir, `${name}-tree`, 'DEBIAN');
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'control'), `Package: ${name}\nVersion: 1.0\nArchitecture: ${arch}\nMaintainer: e2e <e2e@example.invalid>\nDescription: e2e\n`);
  const built = spawnSync('dpkg-deb', ['--build', join(dir, `${name}-tree`), join(dir, `${name}_1.0_${arch}.deb`)], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
}

describe('hostile and malformed input: refused with exit 2, a clear message, nothing created', ROOT_ONLY, () => {
  let world: LocalWorld;
  let endpoint: Ec2TestEndpoint;
  before(async () => {
    world = await openLocalWorld('aminator-e2e-hostile-');
    endpoint = new Ec2TestEndpoint({ dir: join(world.scratch, 'endpoint') });
    await endpoint.start();
  });
  after(async () => {
    await endpoint.stop();
    world.close();
  });

  it(`has at least 40 cases (${CASES.length})`, () => assert.ok(CASES.length >= 40));

  for (const c of CASES) {
    it(c.what, async () => {
      c.prepare?.(world.scratch);
      const args = c.args.map((a) => a.replace('{scratch}', world.scratch));
      if (c.config !== undefined) {
        const file = join(world.scratch, 'hostile.config.json');
        writeFileSync(
          file,
          typeof c.config === 'string'
            ? c.config
            : JSON.stringify({ workRoot: world.work, lockDir: world.locks, cloud: { local: { store: world.store, baseImage: 'debian-base' } }, ...c.config }),
        );
        args.unshift('-c', file);
      }
      if (c.ec2) args.unshift('-e', 'ec2_apt_linux');
      const callsBefore = endpoint.calls.length;
      const imagesBefore = world.images();
      const result = await world.aminate(args, { env: { ...(c.ec2 ? endpoint.env : {}), ...c.env } });
      const made = world.images().filter((id) => !imagesBefore.includes(id));
      for (const id of made) await world.aminate(['images', 'rm', id]);
      assert.deepEqual(made, [], 'no image made');
      assert.equal(result.code, 2, `exit 2 expected, got ${result.code}:\n${result.stderr}${result.stdout.slice(-1500)}`);
      assert.match(result.stderr + result.stdout, c.says);
      assert.match(result.stderr + result.stdout, /error E_[A-Z_]+|"code":"E_|error: /, 'the message carries an error code');
      assert.equal(endpoint.calls.length, callsBefore, 'no EC2 API call');
      assert.deepEqual(existsSync(world.work) ? readdirSync(world.work) : [], [], 'no work directory');
      world.assertNothingLeft();
    });
  }

  it('a base image for another architecture, with binfmt_misc not mounted: exit 2 with the fix, nothing done', async () => {
    const base = world.images()[0] ?? assert.fail('the world has its base image');
    const id = `img-${randomBytes(6).toString('hex')}`;
    const dir = join(world.store, 'images', id);
    mkdirSync(dir);
    try {
      const copied = spawnSync('cp', ['--reflink=auto', '--sparse=always', '--', join(world.store, 'images', base, 'disk.raw'), join(dir, 'disk.raw')]);
      assert.equal(copied.status, 0);
      const manifest = JSON.parse(readFileSync(join(world.store, 'images', base, 'image.json'), 'utf8'));
      writeFileSync(join(dir, 'image.json'), JSON.stringify({ ...manifest, id, name: 'debian-arm64-label', architecture: 'arm64' }));
      const imagesBefore = world.images();
      // In a mount namespace of its own, binfmt_misc is unmounted for this run only.
      const result = await world.aminate(['bake', '--base-image', 'debian-arm64-label', 'hello'], {
        prefix: ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'umount /proc/sys/fs/binfmt_misc 2>/dev/null; exec "$0" "$@"'],
      });
      assert.equal(result.code, 2, result.stderr + result.stdout.slice(-1500));
      assert.match(result.stderr, /E_FOREIGN_ARCH/);
      assert.match(result.stderr, /the base image is arm64 and this host x86_64: binfmt_misc is not mounted/);
      assert.match(result.stderr, /mount -t binfmt_misc binfmt_misc \/proc\/sys\/fs\/binfmt_misc/);
      assert.deepEqual(world.images(), imagesBefore, 'no image made');
      assert.deepEqual(existsSync(world.work) ? readdirSync(world.work) : [], [], 'no work directory');
      world.assertNothingLeft();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an arm64 foundation on x86_64 with binfmt_misc not mounted: exit 2 with the fix, before anything is made', async () => {
    const imagesBefore = world.images();
    const result = await world.aminate(['foundation', '--name', 'arm64-refused', '--arch', 'aarch64', '--size', '1G'], {
      prefix: ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'umount /proc/sys/fs/binfmt_misc 2>/dev/null; exec "$0" "$@"'],
    });
    assert.equal(result.code, 2, result.stderr + result.stdout.slice(-1500));
    assert.match(result.stderr, /E_FOREIGN_ARCH/);
    assert.match(result.stderr, /the new image is arm64 and this host x86_64: binfmt_misc is not mounted/);
    assert.match(result.stderr, /apt-get install qemu-user-static/);
    assert.deepEqual(world.images(), imagesBefore, 'no image made');
    assert.deepEqual(existsSync(world.work) ? readdirSync(world.work) : [], [], 'no work directory');
    world.assertNothingLeft();
  });
});
