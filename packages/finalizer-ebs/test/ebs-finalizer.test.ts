import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ec2Session, ec2ConfigSchema } from '@aminator/cloud-ec2';
import type { BakePlan } from '@aminator/core';
import { createTestStepContext, describePluginConformance } from '@aminator/testkit';
import plugin, { amiName, EbsFinalizer, ebsConfigSchema, imageMappings, launchPermissions } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describePluginConformance(plugin, {
  packageDir,
  config: {
    suffix: 'rc1',
    shareWith: ['123456789012', 'arn:aws:organizations::123456789012:organization/o-abcdefghij'],
    copyToRegions: ['eu-west-1'],
    deprecateAt: '2030-01-01T00:00:00Z',
  },
  invalidConfigs: [
    { shareWith: ['everyone'] },
    { shareWith: ['12345'] },
    { copyToRegions: ['mars'] },
    { deprecateAt: 'tomorrow' },
    { bootMode: 'bios' },
    { suffix: 'a/b' },
  ],
  services: (c) => c.register(Symbol.for('aminator.cloud.ec2.session'), { useValue: new Ec2Session(ec2ConfigSchema.parse({ region: 'us-east-1' })) }),
});

describe('finalizer-ebs', () => {
  it("AMI names follow EC2's rules: epochs, + and ~ become _, and too long or too short is refused before any call", () => {
    assert.equal(amiName('hello-2.10-3-amd64-202611260900'), 'hello-2.10-3-amd64-202611260900');
    assert.equal(amiName('libfoo-2:1.2+dfsg~rc1-1-amd64-x'), 'libfoo-2_1.2_dfsg_rc1-1-amd64-x');
    assert.throws(() => amiName('ab'), { code: 'E_INVALID_INPUT' });
    assert.throws(() => amiName(`x-${'a'.repeat(200)}`), { code: 'E_INVALID_INPUT' });
  });

  it("keeps the base image's mappings, points the root at the new snapshot, and drops what EC2 refuses next to a snapshot id", () => {
    const mappings = imageMappings(
      {
        RootDeviceName: '/dev/xvda',
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-base', VolumeSize: 8, VolumeType: 'gp3', Encrypted: true, KmsKeyId: 'k', Iops: 3000 } },
          { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
          { DeviceName: '/dev/sdc', Ebs: { SnapshotId: 'snap-data', VolumeSize: 100, Encrypted: false } },
        ],
      },
      'snap-new',
      12,
    );
    assert.deepEqual(mappings, [
      { DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-new', VolumeSize: 12, VolumeType: 'gp3', Iops: 3000, DeleteOnTermination: true } },
      { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0', NoDevice: undefined },
      { DeviceName: '/dev/sdc', Ebs: { SnapshotId: 'snap-data', VolumeSize: 100 } },
    ]);
  });

  it('shares with accounts, organizations and OUs', () => {
    assert.deepEqual(
      launchPermissions([
        '123456789012',
        'arn:aws:organizations::123456789012:organization/o-abcdefghij',
        'arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefgh34',
      ]),
      [
        { UserId: '123456789012' },
        { OrganizationArn: 'arn:aws:organizations::123456789012:organization/o-abcdefghij' },
        { OrganizationalUnitArn: 'arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefgh34' },
      ],
    );
  });

  it('refuses hostile tags, a deprecation time in the past and a suffix EC2 cannot hold, before the bake', async () => {
    const finalizer = (config: Record<string, unknown>): EbsFinalizer =>
      new EbsFinalizer(ebsConfigSchema.parse(config), new Ec2Session(ec2ConfigSchema.parse({ region: 'us-east-1' })));
    const plan = {
      spec: { raw: 'hello', source: 'repository', name: 'hello' },
      baseImage: { id: 'ami-1', name: 'b', sizeBytes: 1, tags: {} },
    } as unknown as BakePlan;
    const ctx = { ...createTestStepContext().ctx, dryRun: true };
    await assert.rejects(finalizer({ tags: ['aws:reserved=x'] }).preflight(plan, ctx), { code: 'E_INVALID_INPUT' });
    await assert.rejects(finalizer({ tags: ['k=$(reboot)'] }).preflight(plan, ctx), { code: 'E_INVALID_INPUT' });
    await assert.rejects(finalizer({ deprecateAt: '2001-01-01T00:00:00Z' }).preflight(plan, ctx), { code: 'E_INVALID_INPUT' });
    await finalizer({ tags: ['team=web'], suffix: 'rc1' }).preflight(plan, ctx);
  });
});
