import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { quietSdkNodeWarning } from '@aminator/aws-ec2';
import { type CliOptions, type CliResult, jsonLines, ROOT_ONLY, runCli } from '@aminator/testkit';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { assertNoLeaks, type HostSnapshot, mountsBelow, removeTreeSafely, sh, snapshotHost } from '@aminator/testkit/linux';
import { readSnapshotBack } from './ebs-direct-world.js';
import { OWNER } from './ec2-world.js';
import { buildRpmRepo, cycloneDxPackages, elfMachine, qemuProcessesBelow, rpmQueryPackages, serve, withDiskMounted } from './fixtures.js';
import { bin } from './local-world.js';

quietSdkNodeWarning();

/**
 * arm64 from this x86_64 host, end to end: `aminate foundation --arch arm64` (debootstrap's second stage,
 * the kernel's postinst and GRUB all run under qemu-user through binfmt_misc) → a bake of nginx-light
 * (apt in an arm64 chroot) → a verify boot in qemu's `virt` machine under AAVMF (TCG) with nginx
 * answering → an export to qcow2. About 25 minutes here, most of it the emulated foundation: run on
 * purpose with AMINATOR_E2E_ARM64=1 (`npm run test:arm64`), not in `npm test`'s time budget.
 */
const enabled = process.env.AMINATOR_E2E_ARM64 === '1';

describe(
  'arm64 images from an x86_64 host: foundation, bake, UEFI boot, export',
  enabled ? ROOT_ONLY : { skip: 'set AMINATOR_E2E_ARM64=1 (npm run test:arm64)' },
  () => {
    const scratch = mkdtempSync(join(tmpdir(), 'aminator-e2e-arm64-'));
    const store = join(scratch, 'store');
    const work = join(scratch, 'work');
    const locks = join(scratch, 'locks');
    const config = join(scratch, 'aminator.config.json');
    let host: HostSnapshot;
    const aminate = (args: readonly string[], options: CliOptions = {}): Promise<CliResult> =>
      runCli(bin, ['-c', config, ...args], { cwd: scratch, ...options });
    const images = (): string[] => readdirSync(join(store, 'images')).filter((d) => !d.startsWith('.'));
    const manifest = (id: string): Record<string, any> => JSON.parse(readFileSync(join(store, 'images', id, 'image.json'), 'utf8'));
    const byName = (name: string): Record<string, any> =>
      images()
        .map(manifest)
        .find((m) => m.name === name) ?? assert.fail(`no image ${name}`);

    before(async () => {
      host = snapshotHost();
      writeFileSync(config, JSON.stringify({ workRoot: work, lockDir: locks, cloud: { local: { store, baseImage: 'debian-arm64' } } }));
      const foundation = await aminate(['foundation', '--name', 'debian-arm64', '--arch', 'arm64', '--size', '2G']);
      assert.equal(foundation.code, 0, foundation.stderr + foundation.stdout);
    });
    after(() => {
      const left = mountsBelow(scratch);
      removeTreeSafely(scratch);
      assert.deepEqual(left, []);
    });

    it('the foundation is arm64, boots under UEFI only from EFI/BOOT/BOOTAA64.EFI, and holds nothing of the emulator', async () => {
      const base = byName('debian-arm64');
      assert.equal(base.architecture, 'arm64');
      assert.deepEqual(base.boot, { bios: false, uefi: true });
      const disk = join(store, 'images', base.id, 'disk.raw');
      const table = JSON.parse(sh('sfdisk', ['--json', disk])).partitiontable;
      const types = Object.fromEntries(table.partitions.map((p: { node: string; type: string }) => [p.node.replace(disk, ''), p.type]));
      assert.deepEqual(types, { 1: 'B921B045-1DF0-41C3-AF44-4C6F280D3FAE', 15: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B' });
      const esp = table.partitions.find((p: { node: string }) => p.node.endsWith('15'));
      assert.match(sh('mdir', ['-b', '-i', `${disk}@@${esp.start * 512}`, '::/EFI/BOOT']), /BOOTAA64\.EFI/i);
      await withDiskMounted(disk, (root) => {
        assert.equal(elfMachine(join(root, 'usr/bin/dpkg')), 0xb7, "the image's programs are AArch64");
        assert.match(readFileSync(join(root, 'boot/grub/grub.cfg'), 'utf8'), /console=ttyAMA0/);
        assert.ok(existsSync(join(root, 'boot/grub/arm64-efi/normal.mod')), "GRUB's arm64 modules where grub.cfg loads them");
        assert.ok(
          readdirSync(join(root, 'boot')).some((f) => /^vmlinuz-.*cloud-arm64$/.test(f)),
          'the arm64 cloud kernel',
        );
        for (const path of ['usr/bin/qemu-aarch64-static', 'usr/libexec/qemu-binfmt', 'usr/bin/qemu-aarch64'])
          assert.equal(existsSync(join(root, path)), false, `no ${path} in the image`);
      });
    });

    it('bakes nginx-light on it and proves it in an emulated arm64 machine: nginx active, GET :80/ answers', async () => {
      const result = await aminate(['--json', 'bake', '--verify', '--verify-unit', 'nginx.service', '--verify-http', '80/', 'nginx-light']);
      assert.equal(result.code, 0, result.stderr + result.stdout.slice(-4000));
      const last = jsonLines(result.stdout).at(-1) ?? {};
      assert.equal(last.type, 'result');
      const baked = manifest(String(last.image?.id));
      assert.equal(baked.architecture, 'arm64');
      assert.deepEqual(baked.boot, { bios: false, uefi: true });
      const checks = (last.verification?.checks ?? []).map((c: { name: string; ok: boolean }) => `${c.ok ? 'ok' : 'FAILED'} ${c.name}`);
      assert.ok(checks.includes('ok nginx.service is active'), checks.join('\n'));
      assert.ok(checks.includes('ok GET :80/ answers 2xx/3xx'), checks.join('\n'));
      await withDiskMounted(join(store, 'images', baked.id, 'disk.raw'), (root) => {
        assert.equal(elfMachine(join(root, 'usr/sbin/nginx')), 0xb7, 'an arm64 nginx');
        assert.equal(existsSync(join(root, 'usr/bin/qemu-aarch64-static')), false, 'nothing of the emulator left by the bake');
      });

      const output = join(scratch, 'nginx-arm64.qcow2');
      const exported = await aminate(['images', 'export', String(baked.id), '--output', output, '--format', 'qcow2']);
      assert.equal(exported.code, 0, exported.stderr);
      assert.equal(JSON.parse(sh('qemu-img', ['info', '--output', 'json', output])).format, 'qcow2');
    });

    it('an EBS direct bake at the EC2 test endpoint: the arm64 base AMI found by name with --base-image-arch, an arm64 AMI whose snapshot holds an arm64 nginx', async () => {
      const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint') });
      await endpoint.start();
      try {
        const disk = join(store, 'images', byName('debian-arm64').id, 'disk.raw');
        const base = endpoint.seedImage({
          name: 'debian-12-arm64-20261201',
          ownerId: OWNER,
          disk,
          sizeGiB: 2,
          public: true,
          architecture: 'arm64',
          bootMode: 'uefi',
          creationDate: '2026-12-01T00:00:00.000Z',
        });
        // Newer and matching the same name pattern, but for x86_64: the filter must pass it over.
        endpoint.seedImage({ name: 'debian-12-amd64-20261202', ownerId: OWNER, disk, sizeGiB: 2, public: true, creationDate: '2026-12-02T00:00:00.000Z' });
        const direct = join(scratch, 'ebsdirect.config.json');
        writeFileSync(
          direct,
          JSON.stringify({
            environment: 'ebsdirect_apt_linux',
            workRoot: work,
            lockDir: locks,
            cloud: { ebsdirect: { cacheDir: join(scratch, 'cache'), baseImageName: 'debian-12-*', baseImageOwner: OWNER } },
          }),
        );
        const noImds = { AWS_EC2_METADATA_DISABLED: 'true', AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' };
        const result = await runCli(bin, ['-c', direct, '--json', 'bake', '--base-image-arch', 'arm64', 'nginx-light'], {
          cwd: scratch,
          env: { ...endpoint.env, ...noImds },
        });
        assert.equal(result.code, 0, result.stderr + result.stdout.slice(-4000));
        const events = jsonLines(result.stdout);
        assert.ok(
          events.some((e) => e.type === 'log' && String(e.message).includes(`base image ${base.id}`)),
          'the arm64 base was chosen',
        );
        const image = endpoint.world.images.get(String(events.at(-1)?.image?.id)) ?? assert.fail('no AMI registered');
        assert.equal(image.architecture, 'arm64');
        assert.equal(image.bootMode, 'uefi');
        const snapshotId = image.blockDeviceMappings[0]?.ebs?.snapshotId ?? assert.fail('no root snapshot');
        const readback = await readSnapshotBack(endpoint, scratch, snapshotId, 2);
        await withDiskMounted(readback, (root) => {
          assert.equal(elfMachine(join(root, 'usr/sbin/nginx')), 0xb7, 'an arm64 nginx in the snapshot');
        });
        sh('rm', ['-f', readback]);
      } finally {
        await endpoint.stop();
      }
    });

    it('leaves nothing behind: no mount, loop device, qemu or work directory', () => {
      assert.deepEqual(mountsBelow(work), []);
      assert.deepEqual(existsSync(locks) ? readdirSync(locks) : [], []);
      assert.deepEqual(
        readdirSync(work).filter((d) => d !== 'verify-logs' && d !== 'logs'),
        [],
      );
      assert.deepEqual(qemuProcessesBelow(scratch), [], 'no qemu left running');
      assertNoLeaks(host, { within: [scratch] });
    });
  },
);

/**
 * dnf on an arm64 base from this x86_64 host: a minimal arm64 foundation with dnf and rpm (debootstrap
 * under emulation), an aarch64 .rpm from a local repository baked with local_yum_linux (dnf, rpm and
 * their scriptlets run through qemu-user), and an x86_64 .rpm file refused before any work. About
 * 8 minutes here; opt-in with the rest of this file.
 */
describe('dnf bakes on an arm64 base from an x86_64 host', enabled ? ROOT_ONLY : { skip: 'set AMINATOR_E2E_ARM64=1 (npm run test:arm64)' }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-e2e-arm64-dnf-'));
  const store = join(scratch, 'store');
  const work = join(scratch, 'work');
  const locks = join(scratch, 'locks');
  const config = join(scratch, 'aminator.config.json');
  let host: HostSnapshot;
  let server: Awaited<ReturnType<typeof serve>>;
  const aminate = (args: readonly string[]): Promise<CliResult> => runCli(bin, ['-c', config, '-e', 'local_yum_linux', ...args], { cwd: scratch });
  const images = (): string[] => readdirSync(join(store, 'images')).filter((d) => !d.startsWith('.'));
  const manifest = (id: string): Record<string, any> => JSON.parse(readFileSync(join(store, 'images', id, 'image.json'), 'utf8'));

  before(async () => {
    host = snapshotHost();
    server = await serve(buildRpmRepo(scratch, { arch: 'aarch64' }));
    const repo = { id: 'e2e-arm64', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, gpgcheck: false };
    writeFileSync(
      config,
      JSON.stringify({ workRoot: work, lockDir: locks, cloud: { local: { store } }, provisioner: { yum: { releasever: '12', repos: [repo] } } }),
    );
    const foundation = await aminate(['foundation', '--name', 'debian-arm64-dnf', '--arch', 'arm64', '--minimal', '--include', 'dnf,rpm', '--size', '1536M']);
    assert.equal(foundation.code, 0, foundation.stderr + foundation.stdout);
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    const left = mountsBelow(scratch);
    removeTreeSafely(scratch);
    assert.deepEqual(left, []);
  });

  it('refuses an x86_64 .rpm file for the arm64 base before any work, naming both', async () => {
    const foreign = join(buildRpmRepo(scratch, { arch: 'x86_64' }), 'e2e-rpm-4.2-7.x86_64.rpm');
    const before = images();
    const result = await aminate(['bake', '--base-image', 'debian-arm64-dnf', foreign]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /E_ARCH_MISMATCH .*built for x86_64, the base image is arm64/);
    assert.deepEqual(images(), before, 'no image made');
    assert.deepEqual(existsSync(join(store, 'volumes')) ? readdirSync(join(store, 'volumes')) : [], [], 'no volume copied');
  });

  it('installs an aarch64 .rpm from a repository with dnf under emulation; its SBOM is what rpm -qa lists', async () => {
    const result = await aminate(['--json', 'bake', '--base-image', 'debian-arm64-dnf', 'e2e-rpm']);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-4000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.deepEqual(last.package, { name: 'e2e-rpm', version: '4.2', release: '7', arch: 'aarch64' });
    const baked = manifest(String(last.image?.id));
    assert.equal(baked.architecture, 'arm64');
    const sbom = await aminate(['images', 'sbom', String(baked.id)]);
    assert.equal(sbom.code, 0, sbom.stderr);
    await withDiskMounted(join(store, 'images', baked.id, 'disk.raw'), (root) => {
      assert.equal(readFileSync(join(root, 'usr/share/e2e-rpm/VERSION'), 'utf8'), '4.2\n');
      assert.equal(elfMachine(join(root, 'usr/bin/rpm')), 0xb7, "the image's rpm is AArch64");
      assert.deepEqual(cycloneDxPackages(sbom.stdout), rpmQueryPackages(root));
      assert.ok(rpmQueryPackages(root).includes('e2e-rpm 4.2-7 aarch64'), 'rpm -qa lists the baked package');
      for (const path of ['usr/bin/qemu-aarch64-static', 'usr/libexec/qemu-binfmt'])
        assert.equal(existsSync(join(root, path)), false, `no ${path} in the image`);
    });
  });

  it('leaves nothing behind', () => {
    assert.deepEqual(mountsBelow(work), []);
    assert.deepEqual(existsSync(locks) ? readdirSync(locks) : [], []);
    assert.deepEqual(existsSync(work) ? readdirSync(work).filter((d) => d !== 'logs') : [], []);
    assertNoLeaks(host, { within: [scratch] });
  });
});
