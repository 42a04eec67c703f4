import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DirectVolumes, Ec2Session } from '@aminator/aws-ec2';
import { type BakePlan, newRunId, ProcessCommandRunner } from '@aminator/core/internal';
import { createTestStepContext, describePluginConformance } from '@aminator/testkit';
import plugin, { EbsDirectCloud, ebsDirectConfigSchema } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'aminator-cloud-ebsdirect-test-'));

describePluginConformance(plugin, {
  packageDir,
  config: { region: 'eu-west-1', baseImageOwner: '123456789012', cacheDir: join(scratch, 'conformance-cache') },
  invalidConfigs: [{ region: 'moon-1' }, { cacheDir: 'relative/dir' }, { concurrency: 0 }, { kmsKeyId: 'x; rm' }, { instanceId: 'i-0123456789abcdef0' }],
});

describe('cloud-ebsdirect without the network', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const cloudWith = (config: Record<string, unknown>): EbsDirectCloud => {
    const parsed = ebsDirectConfigSchema.parse({ region: 'us-east-1', cacheDir: join(scratch, 'cache'), ...config });
    const log = createTestStepContext().ctx.log;
    return new EbsDirectCloud(parsed, new Ec2Session(parsed), new DirectVolumes(), new ProcessCommandRunner(log));
  };
  const plan = { baseImage: { id: 'ami-0123456789abcdef0', name: 'base', sizeBytes: 8 * 1024 ** 3 } } as BakePlan;
  const planContext = { runId: newRunId(), signal: new AbortController().signal, log: createTestStepContext().ctx.log, dryRun: true };

  it('refuses a --volume-size below the base before anything is fetched, and says what the plan does', async () => {
    await assert.rejects(cloudWith({ volumeSize: 4 }).preflight(plan, planContext), { code: 'E_INVALID_INPUT' });
    const [line = ''] = cloudWith({ volumeSize: 16 }).describePlan(plan);
    assert.match(line, /read with EBS direct into .*cache.*16 GiB sparse copy attached as a loop device/);
  });

  it('refuses a base image by name without an owner before any API call', async () => {
    await assert.rejects(cloudWith({ baseImageName: 'debian-12-*' }).resolveBaseImage(undefined, planContext), { code: 'E_OWNER_REQUIRED' });
  });
});
