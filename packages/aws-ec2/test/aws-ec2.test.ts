import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AminatorError } from '@aminator/core';
import { amiName, FreshResources, imageMappings, isNotFound, launchPermissions, notFoundError, waitFor } from '../src/index.js';

describe('AMI naming, mappings and sharing', () => {
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
});

describe('waits and eventual consistency', () => {
  it('waitFor gives up at its timeout and stops at once on abort', async () => {
    await assert.rejects(
      waitFor(async () => undefined, { what: 'nothing', timeoutMs: 300, signal: new AbortController().signal }),
      { code: 'E_TIMEOUT' },
    );
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('stop')), 100);
    const started = Date.now();
    await assert.rejects(
      waitFor(async () => undefined, { what: 'nothing', timeoutMs: 60_000, signal: abort.signal }),
      /stop/,
    );
    assert.ok(Date.now() - started < 1_000);
  });

  it('after the window, NotFound is what it says (retryable: a later bake may see it); an id not created here is never retried', async () => {
    const fresh = new FreshResources(400);
    fresh.created('vol-0aaa');
    let calls = 0;
    const gone = (): Promise<never> => {
      calls++;
      return Promise.reject(notFoundError('InvalidVolume.NotFound', 'vol-0aaa'));
    };
    await assert.rejects(fresh.call('vol-0aaa', gone), (error: { retryable: boolean; exitCode: number; message: string }) => {
      assert.ok(isNotFound(error), 'still NotFound to every rule that asks');
      assert.match(error.message, /vol-0aaa, created by this bake, was still not visible to EC2/);
      assert.deepEqual([error.retryable, error.exitCode], [true, 75]);
      return true;
    });
    assert.ok(calls >= 2, `asked ${calls} times within the window`);
    calls = 0;
    await assert.rejects(fresh.call('vol-0bbb', gone), { name: 'InvalidVolume.NotFound' });
    assert.equal(calls, 1);
    const other = new FreshResources(60_000);
    other.created('vol-0ccc');
    let n = 0;
    await assert.rejects(
      other.call('vol-0ccc', () => {
        n++;
        return Promise.reject(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));
      }),
      /denied/,
    );
    assert.equal(n, 1, 'other errors are not retried');
    assert.equal(
      await other.look(
        'vol-0ccc',
        async () => undefined,
        () => assert.fail('not gone while fresh'),
      ),
      undefined,
    );
    await assert.rejects(
      other.look(
        'vol-0ddd',
        async () => undefined,
        () => new AminatorError('gone', { code: 'E_VOLUME_FAILED' }),
      ),
      /gone/,
    );
  });
});

describe('the bake’s EC2 session', () => {
  it('is one per run container, shared by every plugin that registers it, and releases its clients when the run ends', async () => {
    const { CLOUD_CONFIG } = await import('@aminator/core');
    const { container } = await import('tsyringe');
    const { EC2_SESSION, registerEc2Session } = await import('../src/index.js');
    const run = container.createChildContainer();
    run.register(CLOUD_CONFIG, { useValue: { region: 'us-east-1', maxAttempts: 2, consistencyWindowMs: 1_000 } });
    registerEc2Session(run);
    registerEc2Session(run);
    const session = run.resolve<import('../src/index.js').Ec2Session>(EC2_SESSION);
    assert.equal(run.resolve(EC2_SESSION), session, 'the cloud and the finalizer get the same session');
    const clients = await session.clients();
    let destroyed = false;
    const destroy = clients.destroy.bind(clients);
    clients.destroy = () => {
      destroyed = true;
      destroy();
    };
    await run.dispose();
    assert.equal(destroyed, true);
  });
});

describe('a host that is not an EC2 instance', () => {
  it('without a region anywhere, says so (exit 2) instead of asking for an instance identity', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9',
    });
    try {
      const { Ec2Session } = await import('../src/index.js');
      await assert.rejects(new Ec2Session({ maxAttempts: 1, consistencyWindowMs: 0 }).clients(), { code: 'E_NO_REGION', exitCode: 2 });
    } finally {
      process.env = saved;
    }
  });
});
