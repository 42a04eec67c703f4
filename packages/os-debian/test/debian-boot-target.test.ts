import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findArchitecture, PartitionTypes } from '@aminator/linux-host';
import { bootConfigFiles, debianBootLayout, debianBootPackages, debianBootTarget } from '../src/debian-boot-loader.js';

const arch = (name: string) => {
  const found = findArchitecture(name);
  assert.ok(found, name);
  return found;
};

describe('Debian boot targets', () => {
  it('x86_64 boots under BIOS and UEFI: a BIOS boot partition, grub-pc, BOOTX64.EFI, the x86-64 root type', () => {
    const target = debianBootTarget(arch('amd64'));
    assert.ok(target);
    const script = debianBootLayout(arch('amd64'), target).sfdiskScript('/dev/loop9');
    assert.match(script, new RegExp(`start=262144, type=${PartitionTypes.rootX86_64}, name=root`));
    assert.match(script, /\/dev\/loop914 : .*name=bios-boot/);
    assert.match(script, /\/dev\/loop915 : .*name=esp/);
    assert.deepEqual(
      debianBootPackages(target).filter((p) => /linux-image|grub-(pc|efi)/.test(p)),
      ['linux-image-cloud-amd64', 'grub-pc-bin', 'grub-efi-amd64-bin'],
    );
    assert.equal(target.efiFile, 'BOOTX64.EFI');
    assert.match(bootConfigFiles(target)['/etc/default/grub.d/50-aminator.cfg'] ?? '', /GRUB_SERIAL_COMMAND=/);
  });

  it('arm64 boots under UEFI only: no BIOS boot partition, the arm64 root type, BOOTAA64.EFI, the PL011 console too', () => {
    const target = debianBootTarget(arch('aarch64'));
    assert.ok(target);
    assert.equal(target.bios, false);
    const script = debianBootLayout(arch('arm64'), target).sfdiskScript('/dev/loop9');
    assert.match(script, new RegExp(`start=262144, type=${PartitionTypes.rootArm64}, name=root`));
    assert.doesNotMatch(script, /bios-boot/);
    assert.match(script, /\/dev\/loop915 : start=8192, .*name=esp/);
    const packages = debianBootPackages(target);
    assert.ok(packages.includes('linux-image-cloud-arm64') && packages.includes('grub-efi-arm64-bin'));
    assert.ok(!packages.some((p) => /amd64|grub-pc/.test(p)), packages.join(' '));
    assert.equal(target.efiFile, 'BOOTAA64.EFI');
    assert.equal(target.efiPlatform, 'arm64-efi');
    const grub = bootConfigFiles(target)['/etc/default/grub.d/50-aminator.cfg'] ?? '';
    assert.match(grub, /console=ttyAMA0/);
    assert.doesNotMatch(grub, /GRUB_SERIAL_COMMAND/);
  });
});
