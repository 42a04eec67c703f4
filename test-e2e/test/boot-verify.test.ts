import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliOptions, type CliResult, freeTcpPort, jsonLines, ROOT_ONLY, runCli } from '@aminator/testkit';
import { Ec2TestEndpoint } from '@aminator/testkit/ec2';
import { assertNoLeaks, type HostSnapshot, mountsBelow, NetNamespace, removeTreeSafely, sh, snapshotHost } from '@aminator/testkit/linux';
import { CONSISTENCY, OWNER } from './ec2-world.js';
import { buildDeb, qemuProcessesBelow, withDiskMounted } from './fixtures.js';
import { bin } from './local-world.js';

function httpStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/', timeout: 5_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => {
      request.destroy();
      resolve(0);
    });
  });
}

/** Wait until `check` holds, or fail with `why()` after `timeoutMs`. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(why());
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Images that boot: `aminate foundation` (bootable: kernel, systemd, GRUB for BIOS and UEFI) → bakes
 * verified by booting them in qemu (TCG here: no usable KVM) through their own boot loader.
 */
describe('bootable images, verified by booting them (qemu, BIOS and UEFI)', ROOT_ONLY, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-e2e-boot-'));
  const store = join(scratch, 'store');
  const work = join(scratch, 'work');
  const locks = join(scratch, 'locks');
  const config = join(scratch, 'aminator.config.json');
  let host: HostSnapshot;
  let nginxImage: { id: string; name: string } | undefined;
  const aminate = (args: readonly string[], options: CliOptions = {}): Promise<CliResult> => runCli(bin, ['-c', config, ...args], { cwd: scratch, ...options });
  const images = (): string[] => readdirSync(join(store, 'images')).filter((d) => !d.startsWith('.'));
  const manifest = (id: string): Record<string, any> => JSON.parse(readFileSync(join(store, 'images', id, 'image.json'), 'utf8'));
  const assertNothingLeft = (): void => {
    assert.deepEqual(readdirSync(join(store, 'volumes')), [], 'no working volume left');
    assert.deepEqual(existsSync(locks) ? readdirSync(locks) : [], [], 'no lock left');
    assert.deepEqual(mountsBelow(work), [], 'nothing mounted under the work root');
    assert.deepEqual(
      readdirSync(work).filter((d) => d !== 'verify-logs' && d !== 'logs'),
      [],
      'no work directory, boot copy or firmware variables left',
    );
    assert.deepEqual(qemuProcessesBelow(scratch), [], 'no qemu left running');
    assertNoLeaks(host, { within: [scratch] });
  };

  before(async () => {
    host = snapshotHost();
    writeFileSync(config, JSON.stringify({ workRoot: work, lockDir: locks, cloud: { local: { store, baseImage: 'debian-boot' } } }));
    const foundation = await aminate(['foundation', '--name', 'debian-boot', '--size', '2G']);
    assert.equal(foundation.code, 0, foundation.stderr + foundation.stdout);
  });
  after(() => {
    const left = mountsBelow(scratch);
    removeTreeSafely(scratch);
    assert.deepEqual(left, []);
  });

  it("the foundation is laid out as Debian's cloud images: BIOS boot, EFI system and root partitions; GRUB names the root by UUID", async () => {
    const [id] = images();
    const base = manifest(id ?? '');
    assert.deepEqual(base.boot, { bios: true, uefi: true });
    const disk = join(store, 'images', base.id, 'disk.raw');
    const table = JSON.parse(sh('sfdisk', ['--json', disk])).partitiontable;
    const types = Object.fromEntries(table.partitions.map((p: { node: string; type: string }) => [p.node.replace(disk, ''), p.type]));
    assert.deepEqual(types, {
      1: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
      14: '21686148-6449-6E6F-744E-656564454649',
      15: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
    });
    const esp = table.partitions.find((p: { node: string }) => p.node.endsWith('15'));
    const efi = sh('mdir', ['-b', '-i', `${disk}@@${esp.start * 512}`, '::/EFI/BOOT']);
    assert.match(efi, /BOOTX64\.EFI/i, 'GRUB at the removable-media path');
    await withDiskMounted(disk, (root) => {
      const uuid = sh('findmnt', ['--noheadings', '--output', 'UUID', '--mountpoint', root]).trim();
      const fstab = readFileSync(join(root, 'etc/fstab'), 'utf8');
      assert.match(fstab, new RegExp(`^UUID=${uuid} / ext4`, 'm'));
      const grub = readFileSync(join(root, 'boot/grub/grub.cfg'), 'utf8');
      assert.match(grub, new RegExp(`root=UUID=${uuid} `));
      assert.doesNotMatch(grub, /root=\/dev\//, 'never a device name (/dev/loopN, /dev/vda)');
      assert.match(grub, /console=ttyS0/);
      assert.ok(existsSync(join(root, 'boot/grub/i386-pc/core.img')), 'BIOS core image installed');
      assert.ok(
        readdirSync(join(root, 'boot')).some((f) => f.startsWith('vmlinuz-') && f.includes('cloud')),
        'the cloud kernel',
      );
      assert.equal(
        readFileSync(join(root, 'etc/shadow'), 'utf8')
          .split('\n')
          .find((l) => l.startsWith('root:'))
          ?.split(':')[1],
        '*',
        'no root password',
      );
      assert.equal(existsSync(join(root, 'root/.ssh/authorized_keys')), false, 'no SSH key');
    });
  });

  it('bakes nginx and proves it: boots under BIOS and UEFI, nginx.service active, GET :80/ answers through 127.0.0.1', async () => {
    const result = await aminate([
      '--json',
      'bake',
      '--verify',
      '--verify-boot-mode',
      'both',
      '--verify-unit',
      'nginx.service',
      '--verify-http',
      '80/',
      'nginx-light',
    ]);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-4000));
    const events = jsonLines(result.stdout);
    const last = events.at(-1) ?? {};
    assert.equal(last.status, 'succeeded');
    assert.deepEqual(last.steps.map((s: { name: string }) => s.name).slice(-3), ['finalize', 'verify', 'cleanup']);
    const passed = events.filter((e) => e.type === 'log' && /^✓ /.test(e.message ?? '')).map((e) => e.message);
    for (const mode of ['bios', 'uefi']) {
      for (const check of ['reached multi-user.target', 'nginx.service is active', 'no failed units', 'GET :80/ answers 2xx/3xx (HTTP 200)']) {
        assert.ok(passed.includes(`✓ [${mode}] ${check}`), `${mode}: ${check} in ${JSON.stringify(passed)}`);
      }
    }
    assert.deepEqual(
      sh('ps', ['-eo', 'comm'])
        .split('\n')
        .filter((c) => c.trim() === 'nginx'),
      [],
      'nginx never ran on the host (nor in the chroot)',
    );
    await withDiskMounted(join(store, 'images', last.image.id, 'disk.raw'), (root) => {
      assert.ok(existsSync(join(root, 'usr/sbin/nginx')));
      assert.equal(existsSync(join(root, 'etc/systemd/system/aminator-verify.service')), false, 'the check unit went into the boot copy only');
      assert.equal(existsSync(join(root, 'usr/sbin/policy-rc.d')), false);
    });
    const logs = readdirSync(join(work, 'verify-logs')).filter((f) => f.startsWith(last.runId ?? '-'));
    assert.equal(logs.length, 2, 'both serial logs are kept');
    assertNothingLeft();
    nginxImage = last.image;
  });

  it("a booted guest reaches nothing but its forwarded ports: not the host's 127.0.0.1, not instance metadata", async (t) => {
    if (!nginxImage) return t.skip('needs the nginx image of the test before');
    // The host is a network namespace of the test's own: its loopback holds a service and a fake
    // instance metadata server on 169.254.169.254, and aminate (so qemu) runs inside it.
    const ns = new NetNamespace(['169.254.169.254']);
    try {
      const hostPort = 18080 + Math.floor(Math.random() * 1000);
      const servers = await ns.listen([
        { address: '127.0.0.1', port: hostPort },
        { address: '169.254.169.254', port: 80 },
      ]);
      // bash's /dev/tcp connects without curl; a control connection to the guest's own nginx proves the probe works.
      const probe = buildDeb(scratch, 'e2e-probe', {
        files: {
          '/usr/bin/e2e-probe': [
            '#!/bin/bash',
            'probe() { if timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; then echo reached; else echo unreachable; fi; }',
            'self=$(probe 127.0.0.1 80)',
            `host=$(probe 10.0.2.2 ${hostPort})`,
            'metadata=$(probe 169.254.169.254 80)',
            'echo "E2E-PROBE self=$self host=$host metadata=$metadata" > /dev/ttyS0',
            '[ "$self" = reached ] && [ "$host" = unreachable ] && [ "$metadata" = unreachable ]',
            '',
          ].join('\n'),
          '/etc/systemd/system/e2e-probe.service': [
            '[Unit]',
            'Wants=network-online.target',
            'After=network-online.target nginx.service',
            '[Service]',
            'Type=oneshot',
            'RemainAfterExit=yes',
            'ExecStart=/usr/bin/e2e-probe',
            '[Install]',
            'WantedBy=multi-user.target',
            '',
          ].join('\n'),
        },
        postinst:
          '#!/bin/sh\nchmod 755 /usr/bin/e2e-probe\nmkdir -p /etc/systemd/system/multi-user.target.wants\nln -sf /etc/systemd/system/e2e-probe.service /etc/systemd/system/multi-user.target.wants/e2e-probe.service\n',
      });
      // Files in the log directory that the verifier did not make, older than any of its own: never pruned.
      const logs = join(work, 'verify-logs');
      for (let i = 0; i < 30; i++) {
        writeFileSync(join(logs, `foreign-${i}.log`), "not aminate's\n");
        utimesSync(join(logs, `foreign-${i}.log`), new Date('2001-01-01'), new Date('2001-01-01'));
      }
      const result = await aminate(
        [
          '--json',
          'bake',
          '--base-image',
          nginxImage.name,
          '--verify',
          '--verify-boot-mode',
          'bios',
          '--verify-unit',
          'e2e-probe.service',
          '--verify-http',
          '80/',
          probe,
        ],
        { prefix: ns.prefix },
      );
      const last = jsonLines(result.stdout).at(-1) ?? {};
      const console = readdirSync(join(work, 'verify-logs'))
        .filter((f) => f.startsWith(last.runId ?? '-'))
        .map((f) => readFileSync(join(work, 'verify-logs', f), 'utf8'))
        .join('');
      assert.match(console, /E2E-PROBE self=reached host=unreachable metadata=unreachable/, 'what the guest saw');
      assert.equal(result.code, 0, result.stderr + result.stdout.slice(-4000));
      const passed = jsonLines(result.stdout)
        .filter((e) => e.type === 'log' && /^✓ /.test(e.message ?? ''))
        .map((e) => e.message);
      assert.ok(passed.includes('✓ e2e-probe.service is active'), JSON.stringify(passed));
      assert.ok(passed.includes('✓ GET :80/ answers 2xx/3xx (HTTP 200)'), 'the forwarded port still answers');
      assert.deepEqual(readdirSync(logs).filter((f) => f.startsWith('foreign-')).length, 30, 'log pruning kept every file it did not make');
      assert.deepEqual(await servers.connections(), { [`127.0.0.1:${hostPort}`]: 0, '169.254.169.254:80': 0 }, 'no connection reached the host');
      assertNothingLeft();
    } finally {
      ns.close();
    }
  });

  it('aminate verify: a stored image verified on its own; a failed check (a timeout) exits 1 and keeps the image', async (t) => {
    if (!nginxImage) return t.skip('needs the nginx image of the test before');
    const before = images();
    const ok = await aminate(['verify', '--verify-boot-mode', 'uefi', '--verify-unit', 'nginx.service', '--verify-http', '80/', nginxImage.name]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const named = `${nginxImage.name} (${nginxImage.id})`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(ok.stdout, new RegExp(`^verified ${named} in [\\d.]+s; 4 checks passed$`, 'm'));
    assert.match(ok.stderr, /✓ GET :80\/ answers 2xx\/3xx \(HTTP 200\)/);
    // A check that cannot pass within the shortest timeout: the failure path, without a whole second boot.
    const failing = await aminate(['--json', 'verify', '--verify-boot-mode', 'bios', '--verify-timeout', '10000', nginxImage.id]);
    assert.equal(failing.code, 1, failing.stderr + failing.stdout.slice(-4000));
    const error = jsonLines(failing.stdout).at(-1)?.error ?? {};
    assert.equal(error.code, 'E_VERIFY_FAILED');
    assert.match(error.message, /reached multi-user\.target \(not within 10 s\)/);
    assert.deepEqual(images(), before, 'verify never removes the image it checks');
    assertNothingLeft();
  });

  it('aminate boot: the image on a (pseudo-)terminal, root logged in, a forwarded port answering; poweroff ends it and nothing is left', async (t) => {
    if (!nginxImage) return t.skip('needs the nginx image of the test before');
    const port = await freeTcpPort();
    const argv = [process.execPath, bin, '-c', config, 'boot', '--verify-boot-mode', 'bios', '--forward', `${port}:80`, nginxImage.name];
    // script(1) gives aminate a terminal as a person has; the paths here are mkdtemp's, quoted anyway.
    const child = spawn('script', ['--quiet', '--flush', '--return', '--command', argv.map((a) => `'${a}'`).join(' '), '/dev/null'], {
      cwd: scratch,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, TERM: 'xterm', CI: '' },
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(
        () => /root@[\w.-]+:~# /.test(screen),
        300_000,
        () => `no root prompt on the console:\n${screen.slice(-3000)}`,
      );
      assert.match(screen, /is starting on this terminal \(a throwaway copy; root is logged in on the console\); ports 127\.0\.0\.1:\d+ → 80/);
      let status = 0;
      await until(
        async () => {
          status = await httpStatus(port);
          return status === 200;
        },
        60_000,
        () => `GET 127.0.0.1:${port}/ answered ${status}`,
      );
      child.stdin.write('systemctl is-active nginx.service; poweroff\r');
      const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 120_000))]);
      assert.equal(code, 0, screen.slice(-3000));
      assert.match(screen, /[\r\n]active\r*\n/, 'nginx was active in the booted copy');
      assert.match(screen, /booted .* the machine stopped after [\d.]+s and its copy was removed/);
    } finally {
      if (child.exitCode === null) {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {
          /* gone */
        }
        await aminate(['cleanup']);
      }
    }
    assertNothingLeft();
  });

  it('a package that disables the network fails verification: exit 1, the failed check and the console in the error, no image left', async () => {
    // No service that waits for network-online.target (nginx does, for two minutes): the boot is quick.
    // It also writes escape sequences to the console (title, clipboard, DCS, C1 CSI), which the error quotes.
    const nonet = buildDeb(scratch, 'e2e-nonet', {
      files: {
        '/etc/systemd/network/00-e2e-nonet.network': '[Match]\nName=*\n\n[Link]\nUnmanaged=yes\n',
        '/usr/bin/e2e-escapes': String.raw`#!/bin/sh
while :; do
  printf 'E2E-ESCAPES \033]0;owned\007\033]52;c;b3duZWQ=\007\033P+q544e\033\\\302\23331m\033[2J\r\n' > /dev/ttyS0
  sleep 1
done
`,
        '/etc/systemd/system/e2e-escapes.service': '[Service]\nExecStart=/usr/bin/e2e-escapes\n[Install]\nWantedBy=multi-user.target\n',
      },
      postinst:
        '#!/bin/sh\nchmod 755 /usr/bin/e2e-escapes\nmkdir -p /etc/systemd/system/multi-user.target.wants\nln -sf /etc/systemd/system/e2e-escapes.service /etc/systemd/system/multi-user.target.wants/e2e-escapes.service\n',
    });
    const before = images();
    const result = await aminate(['--json', 'bake', '--verify', '--verify-boot-mode', 'bios', '--verify-http', '80/', nonet]);
    assert.equal(result.code, 1, result.stderr + result.stdout.slice(-4000));
    const error = jsonLines(result.stdout).at(-1)?.error ?? {};
    assert.equal(error.code, 'E_VERIFY_FAILED');
    assert.equal(error.step, 'verify');
    assert.match(error.message, /GET :80\/ answers 2xx\/3xx \(the guest has no IPv4 address/);
    assert.doesNotMatch(error.message, /reached multi-user\.target \(/, 'it boots; only the network is gone');
    assert.match(error.message, /last lines of the BIOS console[\s\S]*\|/, 'the console is quoted');
    assert.match(error.message, /\| E2E-ESCAPES/, 'the lines with escape sequences are among those quoted');
    const shown = `${error.message}${result.stdout}${result.stderr}`;
    const controls = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
    assert.doesNotMatch(shown, controls, 'no control character of the guest reaches the terminal');
    assert.ok(error.suggestions.some((s: string) => /whole boot log: .*verify-logs/.test(s)));
    assert.deepEqual(images(), before, 'the unverified image was removed');
    assertNothingLeft();
  });

  it('lvm2 (its maintainer scripts regenerate the initramfs in the chroot) bakes and still boots', async () => {
    const result = await aminate(['--json', 'bake', '--verify', '--verify-boot-mode', 'bios', 'lvm2']);
    assert.equal(result.code, 0, result.stderr + result.stdout.slice(-4000));
    const events = jsonLines(result.stdout);
    assert.ok(
      events.some((e) => e.type === 'log' && /update-initramfs/.test(e.message ?? '')),
      'the initramfs was regenerated during the install',
    );
    const id = events.at(-1)?.image.id;
    await withDiskMounted(join(store, 'images', id, 'disk.raw'), (root) => {
      assert.doesNotMatch(readFileSync(join(root, 'boot/grub/grub.cfg'), 'utf8'), /root=\/dev\//);
    });
    assertNothingLeft();
  });

  it("EC2 (test endpoint, eventual consistency on): the new AMI's root snapshot, attached as a volume, boots as the AMI was registered (UEFI preferred)", async () => {
    const endpoint = new Ec2TestEndpoint({ dir: join(scratch, 'endpoint'), consistency: CONSISTENCY });
    await endpoint.start();
    try {
      const base =
        images()
          .map(manifest)
          .find((m) => m.name === 'debian-boot') ?? assert.fail('no foundation');
      endpoint.seedImage({ name: 'debian-boot-ami', ownerId: OWNER, disk: join(store, 'images', base.id, 'disk.raw'), sizeGiB: 2, bootMode: 'uefi-preferred' });
      const ec2Config = join(scratch, 'ec2.config.json');
      const { devRoot, byIdDir } = endpoint.world.devices;
      writeFileSync(
        ec2Config,
        JSON.stringify({
          workRoot: work,
          lockDir: locks,
          cloud: { ec2: { devRoot, byIdDir, nodeTimeoutMs: 10_000, attachTimeoutMs: 8_000, maxAttempts: 4 } },
        }),
      );
      const result = await runCli(
        bin,
        [
          '-c',
          ec2Config,
          '-e',
          'ec2_apt_linux',
          '--json',
          'bake',
          '--base-image-name',
          'debian-boot-ami',
          '--base-image-owner',
          OWNER,
          '--suffix',
          'verified',
          '--verify',
          '--verify-unit',
          'nginx.service',
          '--verify-http',
          '80/',
          'nginx-light',
        ],
        { cwd: scratch, env: endpoint.env },
      );
      assert.equal(result.code, 0, result.stderr + result.stdout.slice(-4000));
      const events = jsonLines(result.stdout);
      const logs = events.filter((e) => e.type === 'log').map((e) => e.message as string);
      for (const check of ['reached multi-user.target', 'nginx.service is active', 'no failed units', 'GET :80/ answers 2xx/3xx (HTTP 200)']) {
        assert.ok(logs.includes(`✓ ${check}`), `${check} in ${JSON.stringify(logs.filter((l) => l.startsWith('✓')))}`);
      }
      assert.ok(
        logs.some((l) => l.startsWith('boot (UEFI)')),
        'booted as the AMI prefers: UEFI',
      );
      const verifyVolumes = events.filter((e) => e.type === 'resource' && e.step === 'verify' && e.resource?.kind === 'volume').map((e) => e.resource.id);
      assert.equal(verifyVolumes.length, 1, 'a volume from the new AMI was made for the boot');
      const image = events.at(-1)?.image;
      assert.deepEqual(endpoint.leftovers({ keepImages: [image.id] }), { volumes: [], snapshots: [], images: [] }, 'only the AMI and its snapshot remain');
      assert.deepEqual(qemuProcessesBelow(scratch), []);
    } finally {
      await endpoint.stop();
    }
    assertNothingLeft();
  });

  it('kill -9 of aminate while the image boots: qemu keeps running until `aminate cleanup` stops it and removes the boot copy', async () => {
    const result = await aminate(['--json', 'bake', '--verify', '--suffix', 'killed', 'hello'], {
      signalOn: { when: /booting \((BIOS|UEFI)\)/, signal: 'SIGKILL', delayMs: 2_000 },
    });
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(qemuProcessesBelow(scratch).length, 1, 'the orphaned qemu is still running');
    const swept = await aminate(['--json', 'cleanup']);
    assert.equal(swept.code, 0, swept.stderr + swept.stdout);
    const reclaimed = jsonLines(swept.stdout)
      .filter((e) => e.type === 'leftover' && e.status === 'reclaimed')
      .map((e) => e.kind);
    assert.ok(reclaimed.includes('process') && reclaimed.includes('file'), JSON.stringify(reclaimed));
    // The image was complete when the verification began; a kill keeps it, unverified (as after finalize).
    const kept = images().filter((id) => manifest(id).name.endsWith('-killed'));
    assert.equal(kept.length, 1);
    assert.equal((await aminate(['images', 'rm', manifest(kept[0] ?? '').name])).code, 0);
    assertNothingLeft();
  });

  it('SIGINT while the image boots: exit 130, qemu stopped, no boot copy, no image, nothing left', async () => {
    const before = images();
    const result = await aminate(['--json', 'bake', '--verify', '--suffix', 'sigint', 'hello'], {
      signalOn: { when: /booting \((BIOS|UEFI)\)/, signal: 'SIGINT', delayMs: 3_000 },
    });
    assert.equal(result.code, 130, result.stderr + result.stdout.slice(-3000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.equal(last.status, 'interrupted');
    assert.equal(last.error?.step, 'verify');
    assert.deepEqual(images(), before);
    assertNothingLeft();
  });
});
