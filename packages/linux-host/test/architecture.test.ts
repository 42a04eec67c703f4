import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type AminatorError, ErrorCodes } from '@aminator/core';
import {
  binfmtHandlers,
  findArchitecture,
  hostArchitecture,
  LinuxErrorCodes,
  parseArchitecture,
  requireEmulation,
  requirePackageFitsImage,
} from '../src/index.js';

// What Debian's qemu-user-static registers for aarch64 (flags P and F).
const QEMU_AARCH64 = `enabled
interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
flags: PF
offset 0
magic 7f454c460201010000000000000000000200b700
mask ffffffffffffff00fffffffffffffffffeffffff
`;

describe('architectures', () => {
  it('knows each architecture by its machine, dpkg and rpm names', () => {
    for (const name of ['x86_64', 'amd64']) assert.equal(findArchitecture(name)?.machine, 'x86_64');
    for (const name of ['arm64', 'aarch64']) assert.equal(findArchitecture(name)?.dpkg, 'arm64');
    assert.equal(findArchitecture('riscv64'), undefined);
    assert.equal(hostArchitecture('x64')?.machine, 'x86_64');
    assert.equal(hostArchitecture('arm64')?.rpm, 'aarch64');
    assert.throws(
      () => parseArchitecture('sparc'),
      (e: AminatorError) => e.code === ErrorCodes.INVALID_INPUT && /x86_64, amd64, arm64, aarch64/.test(e.suggestions.join()),
    );
  });

  it('refuses a package file for another architecture than the image, naming both; all and the same pass', () => {
    assert.throws(
      () => requirePackageFitsImage('/tmp/x_1_arm64.deb', 'arm64', 'x86_64', ['all']),
      (e: AminatorError) => e.code === LinuxErrorCodes.ARCH_MISMATCH && e.exitCode === 2 && /arm64.*x86_64/.test(e.message),
    );
    assert.throws(() => requirePackageFitsImage('/tmp/x.rpm', 'x86_64', 'arm64', ['noarch']), /x86_64, the base image is arm64/);
    requirePackageFitsImage('/tmp/x_1_all.deb', 'all', 'arm64', ['all']);
    requirePackageFitsImage('/tmp/x_1_amd64.deb', 'amd64', 'x86_64', ['all']);
    requirePackageFitsImage('/tmp/x.rpm', 'aarch64', 'arm64', ['noarch']);
    requirePackageFitsImage('/tmp/x_1_arm64.deb', 'arm64', undefined, ['all']);
  });
});

describe('emulation of a foreign architecture (binfmt_misc)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-binfmt-test-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const x86 = findArchitecture('x86_64');
  const arm = findArchitecture('arm64');
  assert.ok(x86 && arm);
  let n = 0;
  const binfmt = (handlers: Record<string, string>, mounted = true): string => {
    const dir = join(scratch, `b${n++}`);
    mkdirSync(dir);
    if (mounted) {
      writeFileSync(join(dir, 'status'), 'enabled\n');
      writeFileSync(join(dir, 'register'), '');
    }
    for (const [name, text] of Object.entries(handlers)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const refused = (says: RegExp, suggests: RegExp) => (e: AminatorError) =>
    e.code === LinuxErrorCodes.FOREIGN_ARCH && e.exitCode === 2 && says.test(e.message) && suggests.test(e.suggestions.join('\n'));

  it('reads the handlers, telling which ELF machine each runs', () => {
    const dir = binfmt({ 'qemu-aarch64': QEMU_AARCH64, python3: 'enabled\ninterpreter /usr/bin/python3\nflags: \noffset 0\nmagic 550d0d0a\n' });
    const handlers = binfmtHandlers(dir) ?? assert.fail('mounted');
    assert.deepEqual(
      handlers.find((h) => h.name === 'qemu-aarch64'),
      {
        name: 'qemu-aarch64',
        enabled: true,
        interpreter: '/usr/libexec/qemu-binfmt/aarch64-binfmt-P',
        flags: 'PF',
        elfMachine: 0xb7,
      },
    );
    assert.equal(handlers.find((h) => h.name === 'python3')?.elfMachine, undefined);
    assert.equal(binfmtHandlers(binfmt({}, false)), undefined);
  });

  it('asks nothing for the host architecture', () => {
    assert.equal(requireEmulation(x86, { host: x86, dir: join(scratch, 'absent') }), undefined);
  });

  it('passes with an enabled F handler for the architecture', () => {
    assert.equal(requireEmulation(arm, { host: x86, dir: binfmt({ 'qemu-aarch64': QEMU_AARCH64 }) })?.name, 'qemu-aarch64');
  });

  it('refuses with the fix: not mounted, no handler, disabled, no F flag', () => {
    const unmounted = binfmt({}, false);
    assert.throws(() => requireEmulation(arm, { host: x86, dir: unmounted }), refused(/not mounted/, /mount -t binfmt_misc binfmt_misc/));
    const none = binfmt({});
    assert.throws(() => requireEmulation(arm, { host: x86, dir: none }), refused(/no binfmt_misc handler runs arm64/, /apt-get install qemu-user-static/));
    const disabled = binfmt({ 'qemu-aarch64': QEMU_AARCH64.replace('enabled', 'disabled') });
    assert.throws(() => requireEmulation(arm, { host: x86, dir: disabled }), refused(/disabled/, /echo 1 >/));
    const noF = binfmt({ 'qemu-aarch64': QEMU_AARCH64.replace('flags: PF', 'flags: P') });
    assert.throws(() => requireEmulation(arm, { host: x86, dir: noF }), refused(/lacks the F flag/, /flags F/));
  });
});
