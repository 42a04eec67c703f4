import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RUN_STEPS } from '@aminator/core/internal';
import { debianPackagesOf, type HostTool, HostTools, hostToolsFor } from '@aminator/linux-host';
import { runCli } from '@aminator/testkit';
import { bin } from './local-world.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tools: readonly HostTool[] = Object.values(HostTools);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Every program the plugins start on the host: `commands.run('x', …)`, `spawn('x', …)`, and the programs named in a ternary. */
function programsTheCodeRuns(): Map<string, string> {
  const found = new Map<string, string>();
  const steps = new Set<string>(RUN_STEPS);
  for (const pkg of readdirSync(join(repo, 'packages')).filter((p) => p !== 'testkit')) {
    const src = join(repo, 'packages', pkg, 'src');
    for (const file of statSync(src, { throwIfNoEntry: false })?.isDirectory() ? sources(src) : []) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:\bcommands|this\.commands|\brunner)\.run\(\s*(?:[^,()]*\?\s*)?'([^']+)'(?:\s*:\s*'([^']+)')?/g)) {
        for (const program of [match[1], match[2]]) if (program && !steps.has(program)) found.set(program, file);
      }
      for (const match of text.matchAll(/\bspawn\(\s*'([^']+)'/g)) found.set(match[1] as string, file);
    }
  }
  return found;
}

describe('host tools: one table for the checks, the suggestions, the quickstart and CI', () => {
  it('every program the plugins run on the host is in HostTools (so it is checked and installed)', () => {
    const programs = programsTheCodeRuns();
    assert.ok(programs.size >= 20, `the scan found the programs (${[...programs.keys()].join(', ')})`);
    for (const program of ['losetup', 'debootstrap', 'mkfs.ext4', 'mkfs.xfs', 'qemu-system-x86_64', 'growpart'])
      assert.ok(programs.has(program), `${program} found by the scan`);
    const unknown = [...programs]
      .filter(([program]) => !tools.some((t) => t.command === program))
      .map(([program, file]) => `${program} (${file.slice(repo.length + 1)})`);
    assert.deepEqual(unknown, [], 'programs run on the host that HostTools does not list');
  });

  it('the quickstart installs, on a host without any of them, the package of every tool a Debian bake, foundation, verify or export can run', () => {
    const quickstart = readFileSync(join(repo, 'scripts', 'quickstart.sh'), 'utf8');
    assert.match(quickstart, /node scripts\/host-packages\.mjs\)/, 'the quickstart takes its list from the table');
    const picked = spawnSync(process.execPath, [join(repo, 'scripts', 'host-packages.mjs')], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
    assert.equal(picked.status, 0, picked.stderr);
    const installs = new Set(picked.stdout.trim().split(' '));
    for (const tool of hostToolsFor().filter((t) => !t.command.startsWith('/'))) {
      assert.ok(installs.has(tool.debianPackage), `${tool.command}: ${tool.debianPackage} is installed by the quickstart`);
    }
    assert.ok(!installs.has('dnf'), 'dnf only for Red Hat foundations');
    assert.ok(!installs.has('qemu-user-static') && !installs.has('qemu-system-arm'), 'what arm64 images need only with --arm64');
  });

  it('.ci/run installs every package of the table (CI runs the Red Hat tests too)', () => {
    const ci = readFileSync(join(repo, '.ci', 'run'), 'utf8');
    const lines = ci.split('\n');
    const start = lines.findIndex((l) => l.startsWith('apt-get install -y --no-install-recommends '));
    const end = lines.findIndex((l, i) => i >= start && !l.trimEnd().endsWith('\\'));
    const packages = new Set(
      lines
        .slice(start, end + 1)
        .join(' ')
        .replace(/\\/g, ' ')
        .split(/\s+/)
        .filter(Boolean),
    );
    for (const tool of tools) assert.ok(packages.has(tool.debianPackage), `.ci/run installs ${tool.debianPackage} (${tool.command})`);
  });

  it("the container image installs the packages of a Debian image's tools on x86_64, from the same table", () => {
    const text = readFileSync(join(repo, 'container', 'Containerfile'), 'utf8');
    const install =
      /apt-get install -y --no-install-recommends([^&]*)&&/.exec(text.replace(/\\\n/g, ' '))?.[1] ?? assert.fail('no apt-get install in the Containerfile');
    const listed = new Set(install.split(/\s+/).filter((w) => /^[a-z0-9][a-z0-9.+-]+$/.test(w)));
    const expected = new Set([...debianPackagesOf(hostToolsFor()), 'ca-certificates']);
    assert.deepEqual([...listed].sort(), [...expected].sort());
  });

  it('`aminate host-tools` answers from the same table: every package on a host without the tools, nothing extra, one line', async () => {
    const bare = await runCli(bin, ['host-tools', '--missing', '--packages'], { env: { PATH: '/nonexistent' } });
    assert.equal(bare.code, 0, bare.stderr);
    const listed = bare.stdout.trim().split(' ');
    const commands = hostToolsFor().filter((t) => !t.command.startsWith('/'));
    assert.deepEqual(listed, [...new Set(listed)].sort(), 'each once, sorted');
    for (const tool of commands) assert.ok(listed.includes(tool.debianPackage), `${tool.command}: ${tool.debianPackage}`);
    assert.ok(!listed.includes('dnf') && !listed.includes('qemu-user-static'), 'Red Hat and arm64 tools only when asked');
    const here = await runCli(bin, ['--json', 'host-tools', '--redhat']);
    assert.equal(here.code, 0, here.stderr);
    const rows = JSON.parse(here.stdout) as Array<{ command: string; debianPackage: string; installed: boolean }>;
    assert.deepEqual(
      rows.map((r) => r.command),
      hostToolsFor({ redhat: true }).map((t) => t.command),
    );
    assert.ok(
      rows.every((r) => r.installed),
      'this host (CI) has every tool',
    );
  });
});
