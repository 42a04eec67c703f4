import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isOwnerAlive, readOwnerFile } from '@aminator/core';
import { jsonLines, ROOT_ONLY } from '@aminator/testkit';
import { attachTestLoop, detachTestLoop } from '@aminator/testkit/linux';
import { parseAllDocuments } from 'yaml';
import { openEbsDirectWorld } from './ebs-direct-world.js';
import { withDiskMounted } from './fixtures.js';
import { LocalRegistry, repo } from './local-registry.js';
import { type LocalWorld, openLocalWorld } from './local-world.js';
import { hasPodman, nodeBaseImage, PODMAN_RUNTIME, podman, podmanAsync, podmanOk } from './podman.js';

/** Whether a (large) file holds `text`, read in chunks that overlap by its length. */
function fileContains(path: string, text: string): boolean {
  const needle = Buffer.from(text);
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return false;
      const window = Buffer.concat([carry, chunk.subarray(0, read)]);
      if (window.includes(needle)) return true;
      carry = window.subarray(Math.max(0, window.length - needle.length + 1));
    }
  } finally {
    closeSync(fd);
  }
}

const ENABLED = process.env.AMINATOR_E2E_CONTAINERS === '1';
const RUN_REGISTRY = '/run/aminator';

/**
 * aminate's container image (container/Containerfile), built as a user builds it — npm installing the
 * packages from a registry (a local Verdaccio the release was published to, through a build secret) —
 * then run privileged by podman, rootful, as a CI runner or a Kubernetes Job runs it. Opt-in
 * (AMINATOR_E2E_CONTAINERS=1, `npm run test:containers`): building the image takes minutes.
 */
describe('aminate in a container (podman, privileged, a static /dev)', {
  ...ROOT_ONLY,
  skip: ROOT_ONLY.skip || (ENABLED ? false : 'AMINATOR_E2E_CONTAINERS=1 runs it'),
}, () => {
  const registry = new LocalRegistry();
  // AMINATOR_E2E_CONTAINER_KEEP=TAG keeps the image under that tag (bench/many-hosts.mjs runs it).
  const keep = process.env.AMINATOR_E2E_CONTAINER_KEEP;
  const tag = keep ?? `localhost/aminate-e2e:${process.pid}`;
  const names: string[] = [];
  const heldLoops: string[] = [];
  let world: LocalWorld;

  /**
   * `podman run` of aminate's image with the flags container/README.md tells users to give: privileged,
   * the host's network, the node's paths at the same paths inside (the host's reaper reads the loop
   * devices' backing files and the owner files by these paths) and the run registry.
   */
  const containerRun = (name: string, scratch: string, config: string, options: { hostname?: string; env?: Record<string, string> } = {}): string[] => [
    'run',
    ...PODMAN_RUNTIME,
    '--name',
    name,
    ...(options.hostname ? ['--hostname', options.hostname] : []),
    '--privileged',
    '--network',
    'host',
    '--volume',
    `${scratch}:${scratch}`,
    '--volume',
    `${RUN_REGISTRY}:${RUN_REGISTRY}`,
    ...Object.entries({ ...options.env, CI: 'true' }).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
    tag,
    '-c',
    config,
  ];
  const runArgs = (name: string): string[] => containerRun(name, world.scratch, world.config);

  before(async () => {
    assert.ok(hasPodman(), 'podman and runc are installed (.ci/run installs them)');
    world = await openLocalWorld('aminator-e2e-container-');
    mkdirSync(RUN_REGISTRY, { recursive: true, mode: 0o755 });
    const base = nodeBaseImage();
    await registry.start();
    await registry.publish();
    // The CA this host's npm trusts (a TLS-inspecting egress proxy's, here), as a user behind one gives it.
    const cafile = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8', cwd: world.scratch }).stdout.trim();
    const ca = cafile && cafile !== 'null' && existsSync(cafile) ? ['--secret', `id=npm-ca,src=${cafile}`] : [];
    podmanOk(
      [
        'build',
        ...PODMAN_RUNTIME,
        '--network',
        'host',
        '--secret',
        `id=npmrc,src=${registry.npmrc}`,
        ...ca,
        '--build-arg',
        `BASE=${base}`,
        // The packages just published, not a layer cached from an earlier run's.
        '--build-arg',
        `AMINATOR_CACHE_BUST=${process.pid}-${Date.now()}`,
        '--tag',
        tag,
        join(repo, 'container'),
      ],
      { timeoutMs: 30 * 60_000 },
    );
  });

  after(() => {
    for (const name of names) podman(['rm', '--force', name]);
    if (!keep) podman(['rmi', '--force', tag]);
    for (const loop of heldLoops) detachTestLoop(loop);
    registry.stop();
    world?.close();
  });

  it('the image runs aminate and finds its plugins; the npm token never reaches a layer', () => {
    const version = podmanOk(['run', '--rm', ...PODMAN_RUNTIME, tag, '--version']).trim();
    assert.match(version, /^\d+\.\d+\.\d+/);
    const environments = JSON.parse(podmanOk(['run', '--rm', ...PODMAN_RUNTIME, tag, 'environments', '--json'])) as {
      environments: Array<{ name: string; plugins: Record<string, { installed: boolean; optional: boolean }> }>;
    };
    for (const name of ['local_apt_linux', 'ec2_apt_linux', 'ebsdirect_apt_linux']) {
      const env = environments.environments.find((e) => e.name === name);
      assert.ok(env, name);
      assert.deepEqual(
        Object.entries(env.plugins).filter(([, p]) => !p.installed && !p.optional),
        [],
        `${name}: every plugin installed`,
      );
    }
    const token = /_authToken=(\S+)/.exec(readFileSync(registry.npmrc, 'utf8'))?.[1] ?? assert.fail('no token');
    const archive = join(world.scratch, 'image.tar');
    podmanOk(['image', 'save', '--output', archive, tag]);
    try {
      assert.equal(fileContains(archive, token), false, 'the token is in no layer');
      assert.equal(fileContains(archive, 'aminate plugins doctor'), true, 'the search reads the layers');
    } finally {
      rmSync(archive, { force: true });
    }
  });

  it('bakes where the loop devices it gets were made after the container started, and leaves none behind', async () => {
    // The eight loop devices a fresh kernel has are taken: the ones the bake gets are created after
    // the container copied /dev, and have no node in it.
    const filler = join(world.scratch, 'filler.raw');
    writeFileSync(filler, '');
    truncateSync(filler, 1024 * 1024);
    for (let i = 0; i < 8; i++) heldLoops.push(attachTestLoop(filler));
    const name = `aminate-e2e-bake-${process.pid}`;
    names.push(name);
    const result = podman([...runArgs(name), '--json', 'bake', '--suffix', 'container', 'hello']);
    for (const loop of heldLoops.splice(0)) detachTestLoop(loop);
    rmSync(filler);
    assert.equal(result.code, 0, result.stderr.slice(-3000) + result.stdout.slice(-3000));
    const last = jsonLines(result.stdout).at(-1) ?? {};
    assert.equal(last.status, 'succeeded');
    const loops = (jsonLines(result.stdout) as Array<{ type?: string; resource?: { kind: string; id: string } }>)
      .filter((e) => e.type === 'resource' && e.resource?.kind === 'loop-device')
      .map((e) => e.resource?.id);
    assert.ok(
      loops.some((l) => Number(/loop(\d+)$/.exec(l ?? '')?.[1]) >= 8),
      `the bake used a loop device made after the container started: ${loops.join(' ')}`,
    );
    await withDiskMounted(join(world.store, 'images', String(last.image.id), 'disk.raw'), (root) => assert.ok(existsSync(join(root, 'usr/bin/hello'))));
    world.assertNothingLeft();
  });

  it('kill -9 of the container mid-bake: a cleanup on the node leaves the live one alone, then reclaims what the dead one left', async () => {
    const name = `aminate-e2e-killed-${process.pid}`;
    names.push(name);
    const detached = spawn('podman', [...runArgs(name), '--json', 'bake', '--suffix', 'killed', 'hello'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let events = '';
    detached.stdout.on('data', (chunk: Buffer) => {
      events += chunk.toString();
    });
    const exited = new Promise((resolve) => detached.once('exit', resolve));
    const deadline = Date.now() + 180_000;
    while (!/"type":"step-start","step":"provision"/.test(events)) {
      assert.ok(Date.now() < deadline && detached.exitCode === null, `the bake did not reach provision: ${events.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const runId = String(jsonLines(events)[0]?.runId);
    assert.ok(existsSync(join(world.work, runId, '.owner')), 'the run wrote its owner file');

    // The node's cleanup, in the host's pid namespace: the bake's pid is its container's, and still alive.
    const live = await world.aminate(['--json', 'cleanup', '--dry-run']);
    assert.equal(live.code, 0, live.stderr);
    assert.deepEqual(
      jsonLines(live.stdout).filter((e) => e.type === 'leftover'),
      [],
      "a live container's bake is nobody's leftover",
    );

    podmanOk(['kill', '--signal', 'KILL', name]);
    await exited;
    const reclaimed = await world.aminate(['--json', 'cleanup']);
    assert.equal(reclaimed.code, 0, reclaimed.stderr + reclaimed.stdout.slice(-3000));
    const entries = jsonLines(reclaimed.stdout).filter((e) => e.status === 'reclaimed' || e.status === 'failed');
    assert.deepEqual(
      entries.filter((e) => e.status === 'failed'),
      [],
    );
    const kinds = new Set(entries.map((e) => e.kind));
    for (const kind of ['loop-device', 'volume', 'directory']) assert.ok(kinds.has(kind), `reclaimed a ${kind}: ${[...kinds].join(', ')}`);
    assert.equal(existsSync(join(world.work, runId)), false, 'the work directory is gone');
    // Its registry entry (forgotten as the next run registers) names its container and reads as dead.
    const entry = await readOwnerFile(join(RUN_REGISTRY, 'runs', runId));
    assert.ok(entry, 'the registry entry is still there: no bake registered on the host since');
    assert.match(String(entry.container), /^[0-9a-f]{64}$/, 'the owner record names the container');
    assert.equal(isOwnerAlive(entry), false);
    world.assertNothingLeft();
  });

  it("three containers bake through EBS direct at once sharing the node's cache; one killed mid-bake is reclaimed by the node reaper and, once its lease ran out, by --expired from another container", async () => {
    const direct = await openEbsDirectWorld('aminator-e2e-container-direct-');
    try {
      // Each its own host name, as pods have: the resources it tags are its own host's.
      const inContainer = (name: string, host: string, args: readonly string[]): string[] => [
        ...containerRun(name, direct.scratch, direct.config, { hostname: host, env: direct.env }),
        '-e',
        'ebsdirect_apt_linux',
        '--json',
        ...args,
      ];
      const bake = (i: number) => {
        const name = `aminate-e2e-direct-${i}-${process.pid}`;
        names.push(name);
        const child = spawn('podman', inContainer(name, `bake-pod-${i}`, ['bake', '--suffix', `pod${i}`, '--lease-seconds', '15', 'hello']), {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          // The third is killed once its image is registered, before the bake marks it complete.
          if (i === 2 && /image ami-\w+ registering/.test(stdout) && child.exitCode === null && !killed) {
            killed = true;
            void podmanAsync(['kill', '--signal', 'KILL', name]);
          }
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
          child.once('exit', (code) => resolve({ code, stdout, stderr })),
        );
      };
      let killed = false;
      const gets = direct.endpoint.callsOf('GetSnapshotBlock');
      const [a, b, c] = await Promise.all([bake(0), bake(1), bake(2)]);
      for (const r of [a, b]) assert.equal(r.code, 0, r.stderr.slice(-2000) + r.stdout.slice(-2000));
      assert.ok(killed && c.code !== 0, `the third was killed mid-bake (exit ${c.code})`);
      const copy = [...direct.endpoint.world.snapshots.values()].find((s) => s.tags.purpose === 'aminator-base-copy');
      assert.equal(
        direct.endpoint.callsOf('GetSnapshotBlock') - gets,
        direct.endpoint.ebs.blocksOf(copy ?? assert.fail('no base copy')).size,
        'the base was read once for all three: the cache is shared, and its locks hold across containers',
      );
      const finished = [a, b].map((r) => String(jsonLines(r.stdout).at(-1)?.image?.id));
      const building = () =>
        [...direct.endpoint.world.snapshots.values()].filter((s) => s.tags.purpose === 'aminator-direct-snapshot' && s.tags.status === 'building');
      const [left] = building();
      assert.ok(left, 'the killed bake left its snapshot building');
      const leaseEnd = Date.parse(left.tags.lease_until ?? '');

      // The node reaper (this host, its pid namespace): the killed container's loops, working copy and work
      // directory; its snapshot is another host's, which only a lease can free.
      const reaped = await direct.aminate(['-e', 'ebsdirect_apt_linux', '--json', 'cleanup']);
      assert.equal(reaped.code, 0, reaped.stderr + reaped.stdout.slice(-2000));
      const reapedKinds = new Set(
        jsonLines(reaped.stdout)
          .filter((e) => e.status === 'reclaimed')
          .map((e) => e.kind),
      );
      assert.ok(reapedKinds.has('volume') && reapedKinds.has('directory'), `the node reaper took the working copy and work directory: ${[...reapedKinds]}`);
      assert.equal(building().length, 1, "the node reaper leaves another host's snapshot alone");

      const expired = async (name: string) => {
        names.push(name);
        const run = await podmanAsync(inContainer(name, 'cleanup-pod', ['cleanup', '--expired', '--lease-margin-seconds', '1']));
        assert.equal(run.code, 0, run.stderr + run.stdout);
        return jsonLines(run.stdout).filter((e) => e.type === 'leftover' && /^(snap|ami)-/.test(String(e.id)));
      };
      assert.deepEqual(await expired(`aminate-e2e-expired-early-${process.pid}`), [], 'not while its lease runs');
      assert.ok(Date.now() < leaseEnd + 1_000, 'that look was inside the lease and its margin');
      while (Date.now() < leaseEnd + 1_500) await new Promise((resolve) => setTimeout(resolve, 200));
      const late = await expired(`aminate-e2e-expired-late-${process.pid}`);
      assert.deepEqual(late.map((e) => `${e.kind} ${e.status}`).sort(), ['image reclaimed', 'snapshot reclaimed']);
      assert.equal(building().length, 0);
      direct.assertNothingLeft(finished);
    } finally {
      await direct.close();
    }
  });

  it("the Kubernetes Job's container, run as a kubelet would run it (its image, args, env, secret, privileges and hostPath mounts), bakes through EBS direct", async () => {
    const direct = await openEbsDirectWorld('aminator-e2e-container-job-');
    try {
      const job = parseAllDocuments(readFileSync(join(repo, 'container', 'kubernetes', 'bake-job.yaml'), 'utf8'))[0]?.toJS() as Record<string, any>;
      const pod = job.spec.template.spec;
      const container = pod.containers[0];
      // The Secret the Job names, as the cluster would hold it: the endpoint's throwaway credentials.
      const secrets: Record<string, Record<string, string>> = {
        'aminate-aws': { 'access-key-id': direct.env.AWS_ACCESS_KEY_ID ?? '', 'secret-access-key': direct.env.AWS_SECRET_ACCESS_KEY ?? '' },
      };
      const env = (container.env as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>).map((e) => {
        const value = e.value ?? secrets[e.valueFrom?.secretKeyRef.name ?? '']?.[e.valueFrom?.secretKeyRef.key ?? ''];
        assert.ok(value !== undefined, `${e.name} has a value`);
        return ['--env', `${e.name}=${value}`];
      });
      // The node's paths live under this test's scratch directory (this machine's own /var/lib/aminator is not the test's).
      const node = join(direct.scratch, 'node');
      const hostPaths = new Map((pod.volumes as Array<{ name: string; hostPath: { path: string } }>).map((v) => [v.name, v.hostPath.path]));
      const mounts = (container.volumeMounts as Array<{ name: string; mountPath: string }>).flatMap((m) => {
        const host = hostPaths.get(m.name) ?? assert.fail(`${m.name}: no hostPath`);
        if (host === '/dev') return ['--volume', '/dev:/dev'];
        mkdirSync(join(node, host), { recursive: true, mode: 0o755 });
        return ['--volume', `${join(node, host)}:${m.mountPath}`];
      });
      const name = `aminate-e2e-job-${process.pid}`;
      names.push(name);
      // What only this test adds: the endpoint's address (EC2's own is public), and the host's network to reach it.
      const endpoint = ['AWS_ENDPOINT_URL_EC2', 'AWS_ENDPOINT_URL_EBS', 'AWS_EC2_METADATA_DISABLED'].flatMap((key) => [
        '--env',
        `${key}=${direct.env[key] ?? 'true'}`,
      ]);
      const run = await podmanAsync([
        'run',
        ...PODMAN_RUNTIME,
        '--name',
        name,
        '--hostname',
        name,
        ...(container.securityContext?.privileged ? ['--privileged'] : []),
        '--network',
        'host',
        ...env.flat(),
        ...endpoint,
        ...mounts,
        tag,
        ...(container.command ?? []),
        ...container.args,
      ]);
      assert.equal(run.code, 0, run.stderr.slice(-3000) + run.stdout.slice(-2000));
      assert.match(run.stdout, /baked nginx-light-\S+ \(ami-[0-9a-f]+\)/);
      assert.equal(
        [...direct.endpoint.world.snapshots.values()].filter((s) => s.tags.purpose === 'aminator-direct-snapshot' && s.tags.status === 'building').length,
        0,
      );
      assert.deepEqual(readdirSync(join(node, 'var/lib/aminator/work')), [], 'no work directory left on the node');
    } finally {
      await direct.close();
    }
  });
});
