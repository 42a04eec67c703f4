import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DIRECT_VOLUMES, DirectVolumes, EC2_SESSION, Ec2Session } from '@aminator/aws-ec2';
import type { FinalizeInput } from '@aminator/core';
import { createTestStepContext, describePluginConformance } from '@aminator/testkit';
import plugin, { EbsDirectFinalizer, ebsDirectFinalizerConfigSchema } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const session = (): Ec2Session => new Ec2Session({ region: 'us-east-1', maxAttempts: 2, consistencyWindowMs: 1_000 });

describePluginConformance(plugin, {
  packageDir,
  config: { suffix: 'ci-1', concurrency: 8 },
  invalidConfigs: [{ concurrency: 0 }, { snapshotWriteTimeoutMinutes: 5 }, { suffix: 'a/b' }, { shareWith: ['someone'] }],
  services: (c) => {
    c.register(EC2_SESSION, { useValue: session() });
    c.register(DIRECT_VOLUMES, { useValue: new DirectVolumes() });
  },
});

describe('finalizer-ebsdirect', () => {
  it('refuses a volume that is not an EBS direct working copy (another cloud) before any API call', async () => {
    const finalizer = new EbsDirectFinalizer(ebsDirectFinalizerConfigSchema.parse({}), session(), new DirectVolumes());
    const input = {
      volume: { id: 'vol-0123456789abcdef0', sizeBytes: 1024 ** 3, baseImageId: 'ami-1' },
      baseImage: { id: 'ami-1', name: 'base', sizeBytes: 1024 ** 3 },
      package: { name: 'hello', version: '1', release: '1', arch: 'amd64' },
      environment: 'x',
    } as FinalizeInput;
    await assert.rejects(finalizer.finalize(input, createTestStepContext().ctx), { code: 'E_PLUGIN_PAIRING' });
  });
});
