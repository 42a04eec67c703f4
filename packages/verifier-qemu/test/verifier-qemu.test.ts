import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describePluginConformance } from '@aminator/testkit';
import plugin, { bootTimes, checkScript, parseReport, qemuArgs, qemuConfigSchema, qemuMachine, reportChecks } from '../src/index.js';
import { writeUefiRom } from '../src/uefi-rom.js';

const execFileAsync = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describePluginConformance(plugin, {
  packageDir,
  config: { units: ['nginx.service'], http: ['80/', '8080/health?x=1'], bootMode: 'both' },
  invalidConfigs: [
    { units: ['nginx.service; reboot'] },
    { units: ['$(id).service'] },
    { units: ['nginx'] },
    { http: ['80'] },
    { http: ['99999/'] },
    { http: ['80/ x'] },
    { bootMode: 'efi' },
    { timeoutMs: 5 },
    { ovmfCode: 'relative.fd' },
  ],
});

describe('verifier-qemu, without booting', () => {
  it('the check script carries the nonce and only the validated unit names, and reports on ttyS1', () => {
    const script = checkScript('0123abcd', ['nginx.service', 'ssh.socket']);
    assert.match(script, /^#!\/bin\/sh\n/);
    assert.match(script, /AMINATOR-VERIFY-BEGIN 0123abcd/);
    assert.match(script, /set -- multi-user\.target nginx\.service ssh\.socket\n/);
    assert.match(
      script,
      /systemctl show -p ActiveState -p ActiveEnterTimestampMonotonic multi-user\.target nginx\.service ssh\.socket > "\$r\.units" 2>&1 &\n/,
    );
    assert.match(script, /^r=\/run\/aminator-verify\.0123abcd$/m, "the answers' files carry the nonce");
    assert.match(script, /> "\$out"/);
    assert.match(script, /out=\/dev\/ttyS1/);
  });

  // The script run by the host's /bin/sh (dash on Debian, as in the guest) against stand-ins for
  // systemctl and ip that print what systemd 252 prints — property order inside a block included.
  for (const failedUnits of [0, 1]) {
    it(`the check script's report parses, with two systemctl when ${failedUnits} unit(s) failed${failedUnits ? ' and a third to name it' : ''}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'aminator-check-'));
      try {
        const calls = join(dir, 'calls');
        const fake = (body: string) => `#!/bin/sh\necho "$(basename "$0") $*" >> ${calls}\n${body}\n`;
        await writeFile(
          join(dir, 'systemctl'),
          fake(
            [
              'case "$3" in',
              '  ActiveState) printf "ActiveState=active\\nActiveEnterTimestampMonotonic=15370000\\n\\nActiveEnterTimestampMonotonic=15350000\\nActiveState=active\\n\\nActiveState=failed\\nActiveEnterTimestampMonotonic=0\\n" ;;',
              `  UserspaceTimestampMonotonic) printf "NFailedUnits=${failedUnits}\\nUserspaceTimestampMonotonic=5812345\\n" ;;`,
              '  *) [ "$1" = list-units ] && echo "ssh.socket loaded failed failed OpenBSD Secure Shell server socket" ;;',
              'esac',
            ].join('\n'),
          ),
          { mode: 0o755 },
        );
        await writeFile(
          join(dir, 'ip'),
          fake('echo "2: ens3    inet 10.0.2.15/24 brd 10.0.2.255 scope global dynamic ens3"; echo "Cannot open netlink socket: oops" >&2'),
          { mode: 0o755 },
        );
        const out = join(dir, 'report');
        await writeFile(join(dir, 'check.sh'), checkScript('n2', ['nginx.service', 'ssh.socket'], out).replace('r=/run/', `r=${dir}/`));
        await execFileAsync('/bin/sh', [join(dir, 'check.sh')], { env: { PATH: `${dir}:/usr/bin:/bin` } });
        const report = parseReport(await readFile(out, 'utf8'), 'n2');
        assert.ok(report, 'a complete report');
        assert.equal(report.multiUser, 'active');
        assert.deepEqual(
          [...report.units],
          [
            ['nginx.service', 'active'],
            ['ssh.socket', 'failed'],
          ],
        );
        assert.deepEqual(report.failed, failedUnits ? ['ssh.socket'] : []);
        assert.deepEqual(report.addresses, ['ens3 10.0.2.15/24'], 'an error line of ip is not an address');
        assert.equal(report.timing?.userspace, 5.812345);
        assert.equal(report.timing?.multiUser, 15.37, "multi-user.target's own timestamp, the first block's");
        assert.ok((report.timing?.report ?? 0) > 0, 'uptime read by the shell');
        const made = (await readFile(calls, 'utf8')).trim().split('\n');
        assert.equal(made.filter((c) => c.startsWith('systemctl ')).length, failedUnits ? 3 : 2, made.join('; '));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it("reads only this boot's report, and turns it into checks", () => {
    const channel = [
      'AMINATOR-VERIFY-BEGIN stale',
      'target multi-user.target active',
      'AMINATOR-VERIFY-END stale',
      'AMINATOR-VERIFY-BEGIN n1',
      'target multi-user.target active',
      'unit nginx.service failed',
      'failed nginx.service',
      'address ens3 10.0.2.15/24',
    ].join('\n');
    assert.equal(parseReport(channel, 'n1'), undefined, 'incomplete until the end marker');
    const report = parseReport(`${channel}\nAMINATOR-VERIFY-END n1\n`, 'n1');
    assert.ok(report);
    assert.equal(report.multiUser, 'active');
    assert.deepEqual([...report.units], [['nginx.service', 'failed']]);
    assert.deepEqual(report.failed, ['nginx.service']);
    assert.deepEqual(report.addresses, ['ens3 10.0.2.15/24']);
    assert.deepEqual(
      reportChecks(report, ['nginx.service']).map((c) => [c.name, c.ok, c.detail]),
      [
        ['reached multi-user.target', true, undefined],
        ['nginx.service is active', false, 'failed'],
        ['no failed units', false, 'nginx.service'],
      ],
    );
    assert.equal(parseReport('AMINATOR-VERIFY-BEGIN other\nAMINATOR-VERIFY-END other\n', 'n1'), undefined, 'another nonce is not this boot');
  });

  it("splits a boot's time: firmware and loader from the host's clock, kernel and userspace from the guest's", () => {
    const report = parseReport('AMINATOR-VERIFY-BEGIN t\ntiming 6500000 31200000 33.10\nAMINATOR-VERIFY-END t\n', 't');
    assert.deepEqual(report?.timing, { userspace: 6.5, multiUser: 31.2, report: 33.1 });
    assert.equal(
      bootTimes('uefi', 41.1, report?.timing ?? assert.fail()),
      'boot (UEFI): firmware + boot loader 8.0 s, kernel + initrd 6.5 s, userspace to multi-user.target 24.7 s; report after 41.1 s',
    );
    assert.equal(parseReport('AMINATOR-VERIFY-BEGIN t\ntiming  \nAMINATOR-VERIFY-END t\n', 't')?.timing, undefined, 'no numbers, no timing');
  });

  it("qemu boots the image's own loader: no -kernel, forwards on 127.0.0.1 only, OVMF from a private ROM image for UEFI", () => {
    const config = qemuConfigSchema.parse({});
    const options = {
      machine: qemuMachine('x86_64'),
      disk: '/w/copy.raw',
      dir: '/w',
      forwards: [{ hostPort: 40001, guestPort: 80 }],
      consoleLog: '/l/c.log',
      channelLog: '/w/ch.log',
    };
    const bios = qemuArgs({ ...options, mode: 'bios' }, config, 'tcg');
    assert.ok(!bios.includes('-kernel') && !bios.includes('-initrd'));
    assert.ok(!bios.some((a) => a.includes('pflash')), 'BIOS: SeaBIOS, no firmware drives');
    assert.ok(bios.includes('user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:40001-:80'));
    assert.deepEqual(
      bios.filter((_, i) => bios[i - 1] === '-serial'),
      ['file:/l/c.log', 'file:/w/ch.log'],
    );
    assert.ok(bios.includes('q35,accel=tcg'));
    assert.ok(bios.includes('virtio-rng-pci'), "the host's entropy, so the guest's getrandom() does not wait");
    assert.equal(bios[bios.indexOf('-vga') + 1], 'none', 'no display device to draw a console on');
    const uefi = qemuArgs({ ...options, mode: 'uefi' }, config, 'kvm');
    assert.equal(uefi[uefi.indexOf('-bios') + 1], '/w/uefi-rom.fd', 'a private image, never the system files');
    assert.ok(!uefi.some((a) => a.includes('pflash')), 'no flash devices: OVMF writes its start-up variables to memory, not through emulated flash');
    assert.ok(uefi.includes('q35,accel=kvm'));
  });

  it("the UEFI ROM is the firmware's variable store then its code, refused unless whole 64 KiB blocks", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aminator-uefi-rom-'));
    try {
      const vars = join(dir, 'vars.fd');
      const code = join(dir, 'code.fd');
      await writeFile(vars, Buffer.alloc(64 * 1024, 1));
      await writeFile(code, Buffer.alloc(3 * 64 * 1024, 2));
      await writeUefiRom({ code, vars }, join(dir, 'rom.fd'));
      const rom = await readFile(join(dir, 'rom.fd'));
      assert.equal(rom.length, 4 * 64 * 1024);
      assert.equal(rom[0], 1, 'the variables first');
      assert.equal(rom[64 * 1024], 2, 'the code after them, up to the end of the ROM');
      assert.equal(rom.at(-1), 2);
      await writeFile(code, Buffer.alloc(3 * 64 * 1024 + 512, 2));
      await assert.rejects(writeUefiRom({ code, vars }, join(dir, 'bad.fd')), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'E_QEMU_FAILED');
        assert.match(error.message, /not a whole number of 64 KiB blocks/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an arm64 image boots in the virt machine under AAVMF, its report on a virtio-serial port (virt has one UART)', () => {
    const config = qemuConfigSchema.parse({});
    const machine = qemuMachine('aarch64');
    assert.equal(machine.binary.command, 'qemu-system-aarch64');
    assert.deepEqual(machine.modes, ['uefi']);
    const args = qemuArgs(
      { machine, mode: 'uefi', disk: '/w,x/copy.raw', dir: '/w', forwards: [], consoleLog: '/l/c.log', channelLog: '/w/ch.log' },
      config,
      'tcg',
    );
    assert.ok(args.includes('virt,accel=tcg'));
    assert.equal(args[args.indexOf('-cpu') + 1], 'cortex-a72');
    assert.ok(args.includes(`if=pflash,format=raw,readonly=on,file=${config.aavmfCode}`));
    assert.ok(args.includes('file=/w,,x/copy.raw,format=raw,if=none,id=disk0,cache=unsafe'), 'a comma in a path is doubled, not an option separator');
    assert.equal(args[args.indexOf('virtio-blk-pci,drive=disk0,bootindex=0') - 1], '-device', 'the disk is a virtio device first in the boot order');
    assert.deepEqual(
      args.filter((_, i) => args[i - 1] === '-serial'),
      ['file:/l/c.log'],
      'the console on the one UART',
    );
    assert.ok(args.includes('file,id=aminator-report,path=/w/ch.log'));
    assert.ok(args.includes('virtserialport,chardev=aminator-report,name=org.aminator.verify'));
    assert.ok(!args.includes('-vga'), 'virt has no VGA to turn off');
    assert.match(checkScript('n', [], '/dev/virtio-ports/org.aminator.verify'), /out=\/dev\/virtio-ports\/org\.aminator\.verify\n/);
    assert.throws(() => qemuMachine('sparc64'), { code: 'E_QEMU_FAILED' });
  });
});
