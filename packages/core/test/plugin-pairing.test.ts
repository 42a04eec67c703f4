import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertPairings, type DiscoveredPlugin, pairingProblems, pluginManifestSchema } from '../src/internal.js';

const plugin = (kind: DiscoveredPlugin['kind'], name: string, requires?: Record<string, string[]>): DiscoveredPlugin =>
  ({
    kind,
    name,
    packageName: `@x/${kind}-${name}`,
    version: '1.0.0',
    path: `/p/${name}`,
    manifest: pluginManifestSchema.parse({ kind, name, apiVersion: 2, ...(requires ? { requires } : {}) }),
  }) as DiscoveredPlugin;

describe('plugin pairings', () => {
  it('the manifest names kinds and plugin names; an unknown kind or a bad name is refused', () => {
    assert.ok(pluginManifestSchema.safeParse({ kind: 'finalizer', name: 'ebs', apiVersion: 2, requires: { cloud: ['ec2'] } }).success);
    assert.equal(pluginManifestSchema.safeParse({ kind: 'finalizer', name: 'ebs', apiVersion: 2, requires: { kloud: ['ec2'] } }).success, false);
    assert.equal(pluginManifestSchema.safeParse({ kind: 'finalizer', name: 'ebs', apiVersion: 2, requires: { cloud: ['EC2!'] } }).success, false);
    assert.equal(pluginManifestSchema.safeParse({ kind: 'finalizer', name: 'ebs', apiVersion: 2, requires: { cloud: [] } }).success, false);
  });

  it('finds each requirement the environment does not meet, and passes one it meets', () => {
    const ebs = plugin('finalizer', 'ebs', { cloud: ['ec2'] });
    const verifier = plugin('verifier', 'launch', { cloud: ['ec2'], os: ['debian', 'redhat'] });
    assert.deepEqual(pairingProblems({ cloud: 'ec2', os: 'debian' }, [ebs, verifier]), []);
    const problems = pairingProblems({ cloud: 'local', os: 'debian' }, [plugin('cloud', 'local'), ebs, verifier]);
    assert.deepEqual(
      problems.map((p) => [p.plugin.name, p.kind, p.has]),
      [
        ['ebs', 'cloud', 'local'],
        ['launch', 'cloud', 'local'],
      ],
    );
    assert.throws(() => assertPairings('mixed', { cloud: 'local' }, [ebs]), { code: 'E_PLUGIN_PAIRING', exitCode: 2 });
    assert.doesNotThrow(() => assertPairings('ec2', { cloud: 'ec2' }, [ebs]));
  });
});
