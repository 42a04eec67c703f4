import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { containerId, FileLockManager, INITIAL_PID_NAMESPACE, isOwnerAlive, isProcessAlive, pidNamespaceOf, readOwnerFile } from '../src/internal.js';
import { TempTree } from './temp-packages.js';

const internal = fileURLToPath(new URL('../src/internal.js', import.meta.url));

/**
 * A Node process in a pid namespace of its own (`unshare --pid --fork --mount-proc`, as a container
 * runtime makes one) that runs `script` with the core's internals as `core`, then waits; killing
 * unshare (--kill-child) ends the namespace.
 */
async function inNamespace(script: string, ready: string): Promise<ChildProcess> {
  const code = `const core = await import(${JSON.stringify(internal)});\n${script}\nsetInterval(() => {}, 1000);`;
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, '--input-type=module', '-e', code], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  for (let i = 0; i < 200 && !existsSync(ready); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(ready)) {
    child.kill('SIGKILL');
    throw new Error(`the namespaced process did not get ready: ${stderr}`);
  }
  return child;
}

/** Killing a namespace's first process takes its others with it; the kernel reaps them a moment later. */
async function emptied(namespace: number): Promise<void> {
  const inside = (): boolean => readdirSync('/proc').some((n) => /^[0-9]+$/.test(n) && pidNamespaceOf(Number(n)) === namespace);
  for (let i = 0; i < 200 && inside(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(inside(), false, 'the namespace still has processes');
}

async function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await done;
}

describe('liveness across pid namespaces (a bake in a container, a reaper on the node)', () => {
  const tree = new TempTree();
  const children: ChildProcess[] = [];
  after(async () => {
    await Promise.all(children.map(ended));
    tree.remove();
  });

  it("judges a lock held in another pid namespace by that namespace's pid, and frees it once the namespace is gone", async (t) => {
    const dir = join(tree.root, 'locks');
    const ready = join(tree.root, 'ready-1');
    const child = await inNamespace(
      `const h = await new core.FileLockManager(${JSON.stringify(dir)}, 'run-in-container').tryAcquire('cache-base');\n` +
        `if (!h) process.exit(3);\n` +
        `await import('node:fs').then((fs) => fs.writeFileSync(${JSON.stringify(join(tree.root, 'owner-1'))}, core.runOwnerText('run-in-container')));\n` +
        `await import('node:fs').then((fs) => fs.writeFileSync(${JSON.stringify(ready)}, ''));`,
      ready,
    );
    children.push(child);
    const owner = JSON.parse(readFileSync(join(dir, 'cache-base.lock'), 'utf8'));
    assert.equal(owner.pid, 1, 'the first process of a new pid namespace is pid 1 there');
    assert.notEqual(owner.pidNamespace, pidNamespaceOf('self'));
    // The host's own pid 1 runs and has another start time: judged by the pid alone, the lock was stale.
    assert.equal(isProcessAlive({ pid: 1, startTicks: owner.startTicks }), false);
    const locks = new FileLockManager(dir, 'run-on-node');
    assert.equal((await locks.inspect('cache-base'))?.stale, false);
    assert.equal(await locks.tryAcquire('cache-base'), undefined, 'a live holder in a container keeps its lock');
    const runOwner = await readOwnerFile(join(tree.root, 'owner-1'));
    assert.ok(runOwner);
    assert.equal(isOwnerAlive(runOwner), true);

    await ended(child);
    await emptied(owner.pidNamespace);
    if (pidNamespaceOf('self') !== INITIAL_PID_NAMESPACE) {
      t.skip('this test runs in a pid namespace of its own: a gone namespace cannot be told from a hidden one here');
      return;
    }
    assert.equal(isOwnerAlive(runOwner), false);
    assert.equal((await locks.inspect('cache-base'))?.stale, true);
    const taken = await locks.tryAcquire('cache-base');
    assert.ok(taken, 'the lock of a container that is gone is reclaimed');
    await taken.release();
  });

  it('tells a dead process from a live one inside a namespace that still runs', async () => {
    const ready = join(tree.root, 'ready-2');
    const owners = join(tree.root, 'owners-2');
    const child = await inNamespace(
      `const { spawnSync } = await import('node:child_process');\nconst fs = await import('node:fs');\n` +
        // A short-lived process of the namespace: its record names a pid that is gone while the namespace lives.
        `const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();\n` +
        `fs.writeFileSync(${JSON.stringify(owners)}, JSON.stringify({ live: JSON.parse(core.runOwnerText('r')), dead: { ...JSON.parse(core.runOwnerText('r')), pid: Number(dead) } }));\n` +
        `fs.writeFileSync(${JSON.stringify(ready)}, '');`,
      ready,
    );
    children.push(child);
    const { live, dead } = JSON.parse(readFileSync(owners, 'utf8'));
    assert.equal(isOwnerAlive(live), true);
    assert.equal(isOwnerAlive(dead), false);
    assert.equal(isOwnerAlive({ ...live, startTicks: live.startTicks + 1 }), false, 'a reused pid in that namespace is not the owner');
    await ended(child);
  });

  it('from inside a container, never takes a process it cannot see for dead', async () => {
    const dir = join(tree.root, 'locks-3');
    const ours = await new FileLockManager(dir, 'run-on-node').tryAcquire('shared');
    assert.ok(ours);
    const ready = join(tree.root, 'ready-3');
    const seen = join(tree.root, 'seen-3');
    const child = await inNamespace(
      `const fs = await import('node:fs');\nconst l = new core.FileLockManager(${JSON.stringify(dir)}, 'run-in-container');\n` +
        `fs.writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ stale: (await l.inspect('shared')).stale, taken: Boolean(await l.tryAcquire('shared')) }));\n` +
        `fs.writeFileSync(${JSON.stringify(ready)}, '');`,
      ready,
    );
    children.push(child);
    assert.deepEqual(JSON.parse(readFileSync(seen, 'utf8')), { stale: false, taken: false });
    await ended(child);
    await ours.release();
  });

  it('reads the container id from the cgroup path where a runtime put one', () => {
    const id = 'ab'.repeat(32);
    const file = (name: string, text: string): string => {
      mkdirSync(join(tree.root, 'cg'), { recursive: true });
      const path = join(tree.root, 'cg', name);
      writeFileSync(path, text);
      return path;
    };
    assert.equal(containerId(file('podman', `0::/machine.slice/libpod-${id}.scope/container\n`)), id);
    assert.equal(containerId(file('podman2', `0::/machine.slice/libpod-${id}.scope\n`)), id);
    assert.equal(containerId(file('docker', `12:memory:/docker/${id}\n0::/\n`)), id);
    assert.equal(containerId(file('cri', `0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-${id}.scope\n`)), id);
    assert.equal(containerId(file('host', '0::/user.slice/user-0.slice/session-1.scope\n')), undefined);
    assert.equal(containerId(join(tree.root, 'cg', 'missing')), undefined);
  });
});
