import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parseAllDocuments } from 'yaml';
import { repo } from './local-registry.js';

const dir = join(repo, 'container', 'kubernetes');

interface Pod {
  readonly hostPID?: boolean;
  readonly containers: ReadonlyArray<{
    readonly securityContext?: { readonly privileged?: boolean };
    readonly volumeMounts?: ReadonlyArray<{ readonly name: string; readonly mountPath: string }>;
  }>;
  readonly volumes?: ReadonlyArray<{ readonly name: string; readonly hostPath?: { readonly path: string } }>;
}

/** Each manifest document, checked against the Kubernetes API's own schema (kubernetes-models). */
function manifest(file: string): Record<string, any> {
  const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as Record<string, any>);
  assert.equal(docs.length, 1, `${file}: one document`);
  const doc = docs[0] as Record<string, any>;
  const model = doc.kind === 'Job' ? new Job(doc as never) : doc.kind === 'DaemonSet' ? new DaemonSet(doc as never) : assert.fail(`${file}: ${doc.kind}`);
  model.validate();
  return doc;
}

/** The node's paths a pod mounts, as `hostPath → mountPath`. */
function hostMounts(pod: Pod): Map<string, string> {
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v.hostPath?.path]));
  return new Map(
    (pod.containers[0]?.volumeMounts ?? []).map((m) => [volumes.get(m.name) ?? assert.fail(`${m.name} is no hostPath volume`), m.mountPath] as const),
  );
}

describe('the Kubernetes manifests (container/kubernetes)', () => {
  it('validate against the API schema; a schema error is caught', () => {
    manifest('bake-job.yaml');
    manifest('node-reaper.yaml');
    const broken = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: { template: { spec: { containers: [{ name: 'a', securityContext: { privileged: 'yes' } }] } } },
    };
    assert.throws(() => new Job(broken as never).validate(), /privileged must be boolean/);
  });

  it("the bake Job and the node reaper mount the node's /dev, work root, lock directory, cache and run registry at the same paths, privileged; the reaper in the node's pid namespace", () => {
    const job = manifest('bake-job.yaml').spec.template.spec as Pod;
    const reaper = manifest('node-reaper.yaml').spec.template.spec as Pod;
    const shared = ['/dev', '/var/lib/aminator', '/run/lock/aminator', '/var/cache/aminator', '/run/aminator'];
    for (const [name, pod] of [
      ['bake Job', job],
      ['node reaper', reaper],
    ] as const) {
      const mounts = hostMounts(pod);
      assert.deepEqual([...mounts.keys()].sort(), [...shared].sort(), `${name}: the node's paths`);
      for (const [host, inside] of mounts) assert.equal(inside, host, `${name}: ${host} at the same path inside`);
      assert.equal(pod.containers[0]?.securityContext?.privileged, true, `${name}: privileged`);
    }
    assert.equal(reaper.hostPID, true, "the reaper sees the node's processes: it can tell a live pod's bake from a dead one's");
    assert.notEqual(job.hostPID, true, 'a bake needs no more than its own pid namespace');
  });
});
