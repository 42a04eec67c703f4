import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileLockManager } from '@aminator/core/internal';
import { aminate, fakeProjects, jsonLines } from './cli-harness.js';

describe("aminate cleanup (CLI, testkit fakes: core's own leftovers)", () => {
  const project = fakeProjects(after);

  it('--help teaches what it looks for, and offers the plugin flags that say where to look (not the bake-only ones)', async () => {
    const p = project();
    const help = await aminate(['cleanup', '--help', '-c', p.configFile]);
    assert.equal(help.code, 0, help.stderr);
    for (const text of ['--dry-run', '--work-root', '--lock-dir', 'processes', 'mounts', 'locks', 'no live bake holds', 'aminate cleanup --dry-run']) {
      assert.ok(help.stdout.includes(text), `help mentions ${text}`);
    }
    assert.match(help.stdout, /--fake-journal <file>/);
    assert.doesNotMatch(help.stdout, /--fake-cloud-fail-at/);
  });

  it("after kill -9 lists the dead run's lock and work directory (--dry-run changes nothing), then reclaims them; a live lock is never listed", async () => {
    const p = project();
    const killed = await aminate(['--json', 'bake', 'hello', '-c', p.configFile], { env: { AMINATOR_FAILPOINTS: 'provision:sigkill' } });
    assert.equal(killed.signal, 'SIGKILL');
    const runId = String(jsonLines(killed.stdout)[0]?.runId);
    const live = await new FileLockManager(join(p.dir, 'locks'), 'alive').tryAcquire('blockdevice-z');
    assert.ok(live);

    const dry = await aminate(['--json', 'cleanup', '--dry-run', '-c', p.configFile]);
    assert.equal(dry.code, 0, dry.stderr);
    const listed = jsonLines(dry.stdout).filter((e) => e.type === 'leftover');
    assert.deepEqual(
      listed.map((e) => `${e.kind} ${e.status}`).sort(),
      ['directory found', ...listed.filter((e) => e.kind === 'lock').map(() => 'lock found')].sort(),
    );
    assert.ok(listed.some((e) => e.kind === 'lock' && e.id === `run-${runId}`));
    assert.ok(!listed.some((e) => e.id === 'blockdevice-z'), 'a live lock is not listed');
    assert.ok(existsSync(join(p.dir, 'work', runId)), 'a dry run removes nothing');

    const swept = await aminate(['cleanup', '-c', p.configFile]);
    assert.equal(swept.code, 0, swept.stderr);
    assert.match(swept.stdout, /^STATUS +KIND +ID +WHY$/m);
    assert.match(swept.stdout, /(\d+) of \1 leftover\(s\) reclaimed/);
    assert.equal(existsSync(join(p.dir, 'work', runId)), false);
    assert.deepEqual(readdirSync(join(p.dir, 'locks')), ['blockdevice-z.lock']);
    await live.release();
    const again = await aminate(['--json', 'cleanup', '-c', p.configFile]);
    assert.deepEqual(jsonLines(again.stdout).at(-1), { type: 'result', status: 'succeeded', dryRun: false, found: 0, reclaimed: 0, failed: 0 });
  });
});
