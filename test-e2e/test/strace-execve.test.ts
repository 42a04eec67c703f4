import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT_ONLY } from '@aminator/testkit';
import { buildDeb } from './fixtures.js';
import { bin, type LocalWorld, openLocalWorld } from './local-world.js';

interface Exec {
  readonly pid: number;
  readonly file: string;
  readonly argv: string[];
}

const MARKER = 'straceMarker7f3a';
const SHELLS = /(^|\/)(sh|bash|dash|zsh|ksh)$/;

/** strace's quoted string → its text (escapes as strace writes them). */
function unquote(text: string): string {
  return JSON.parse(
    `"${text.replace(/\\x([0-9a-f]{2})/gi, '\\u00$1').replace(/\\([0-7]{1,3})/g, (_m, o: string) => `\\u${parseInt(o, 8).toString(16).padStart(4, '0')}`)}"`,
  ) as string;
}

/** Successful execve calls, who made them, and which pids are threads or children of the traced node process. */
function parseTrace(trace: string): { execs: Exec[]; childrenOfNode: Set<number> } {
  const execs: Exec[] = [];
  const threadsOfNode = new Set<number>();
  const childrenOfNode = new Set<number>();
  for (const line of trace.split('\n')) {
    const pid = Number(/^(\d+)\s/.exec(line)?.[1]);
    const exec = /execve\("((?:[^"\\]|\\.)*)", \[(.*?)\](?:\.\.\.)?, .*\) = 0$/.exec(line);
    if (exec) {
      const argv = [...(exec[2] ?? '').matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => unquote(m[1] ?? ''));
      execs.push({ pid, file: unquote(exec[1] ?? ''), argv });
      if (threadsOfNode.size === 0 && /node$/.test(exec[1] ?? '')) threadsOfNode.add(pid);
      continue;
    }
    const clone = /(?:clone3?|vfork|fork)\((.*)\) = (\d+)$/.exec(line);
    if (clone && threadsOfNode.has(pid)) (/CLONE_THREAD/.test(clone[1] ?? '') ? threadsOfNode : childrenOfNode).add(Number(clone[2]));
  }
  return { execs, childrenOfNode };
}

describe('a full local bake under strace -f -e trace=execve', ROOT_ONLY, () => {
  let world: LocalWorld;
  before(async () => {
    world = await openLocalWorld('aminator-e2e-strace-');
  });
  after(() => world.close());

  it('aminate starts no shell at all; no `sh -c` anywhere carries user input', () => {
    const deb = buildDeb(world.scratch, 'strace-app');
    const trace = join(world.scratch, 'execve.trace');
    const run = spawnSync(
      'strace',
      [
        '-f',
        '-qq',
        '-s',
        '4096',
        '-e',
        'trace=execve,clone,clone3,fork,vfork',
        '-o',
        trace,
        process.execPath,
        bin,
        '-c',
        world.config,
        'bake',
        '--suffix',
        MARKER,
        '--tag',
        `team=${MARKER}`,
        '--description',
        `d ${MARKER}`,
        deb,
      ],
      { cwd: world.scratch, env: { ...process.env, CI: 'true' }, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const { execs, childrenOfNode } = parseTrace(readFileSync(trace, 'utf8'));
    const programs = new Set(execs.map((e) => e.file.split('/').at(-1)));
    for (const expected of ['losetup', 'mount', 'umount', 'chroot', 'dpkg']) assert.ok(programs.has(expected), `the trace covers ${expected}`);
    const direct = execs.filter((e) => childrenOfNode.has(e.pid));
    assert.ok(direct.length >= 10, `aminate's own commands were seen (${direct.length})`);
    assert.deepEqual(
      direct.filter((e) => SHELLS.test(e.file)).map((e) => e.argv.join(' ')),
      [],
      'aminate itself never runs a shell',
    );
    const shellCommands = execs.filter((e) => SHELLS.test(e.file) && e.argv.includes('-c'));
    assert.deepEqual(
      shellCommands.filter((e) => e.argv.some((a) => a.includes(MARKER) || a.includes('strace-app'))),
      [],
      'no sh -c carries user input',
    );
    console.log(
      `execve: ${execs.length} programs run, ${direct.length} by aminate itself (no shell among them); sh -c elsewhere (from the image's own scripts): ${shellCommands.length}`,
    );
    for (const e of shellCommands) console.log(`  ${e.argv.join(' ').slice(0, 160)}`);
    world.assertNothingLeft();
  });
});
