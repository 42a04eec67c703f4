import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EC2_SESSION, Ec2Session } from '@aminator/aws-ec2';
import type { BakePlan } from '@aminator/core';
import { createTestStepContext, describePluginConformance } from '@aminator/testkit';
import plugin, { EbsFinalizer, ebsConfigSchema } from '../src/index.js';

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
  services: (c) => c.register(EC2_SESSION, { useValue: new Ec2Session({ region: 'us-east-1', maxAttempts: 3, consistencyWindowMs: 1_000 }) }),
});

describe('finalizer-ebs', () => {
  it('refuses hostile tags, a deprecation time in the past and a suffix EC2 cannot hold, before the bake', async () => {
    const finalizer = (config: Record<string, unknown>): EbsFinalizer =>
      new EbsFinalizer(ebsConfigSchema.parse(config), new Ec2Session({ region: 'us-east-1', maxAttempts: 3, consistencyWindowMs: 1_000 }));
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
