import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PathTrust, plainText, projectDirs, UntrustedPathError, writeOutputFile } from '../src/host.js';
import { pluginSearchPaths } from '../src/plugin/search-paths.js';
import { TempTree } from './temp-packages.js';

const NOBODY = 65534;
/** chown needs root (core cannot use testkit's ROOT_ONLY: testkit depends on core). */
const ROOT_ONLY: { skip?: string } = process.getuid?.() === 0 ? {} : { skip: 'needs root to chown test files' };

describe('PathTrust: the one rule for code and config', ROOT_ONLY, () => {
  const tree = new TempTree();
  after(() => tree.remove());
  const trust = () => new PathTrust([0]);

  it('trusts a root-owned file in root-owned directories, below the sticky /tmp', () => {
    const file = tree.file('ok/config.yaml', 'a: 1\n');
    assert.equal(trust().problem(file), undefined);
  });

  it("refuses a file another user owns, or one in another user's directory, naming the path that breaks the rule", () => {
    const own = tree.file('theirs/config.mjs', '');
    chownSync(own, NOBODY, NOBODY);
    assert.deepEqual(
      { ...trust().problem(own), uid: undefined },
      { file: own, path: own, uid: undefined, mode: 0o644, reason: 'is owned by a user aminate does not trust' },
    );
    const inside = tree.file('their-dir/sub/config.yaml', '');
    chownSync(join(tree.root, 'their-dir'), NOBODY, NOBODY);
    assert.equal(trust().problem(inside)?.path, join(tree.root, 'their-dir'));
    assert.throws(
      () => trust().assert(inside, 'config file'),
      (error: unknown) => {
        assert.ok(error instanceof UntrustedPathError);
        assert.equal(error.code, 'E_UNTRUSTED_PATH');
        assert.equal(error.exitCode, 2);
        assert.match(
          error.message,
          /refusing config file .*config\.yaml: .*their-dir is owned by a user aminate does not trust — owner nobody \(uid 65534\), mode 0755/,
        );
        return true;
      },
    );
  });

  it('refuses anything writable by group or others; a sticky world-writable directory is fine as a parent only', () => {
    const group = tree.file('group/config.yaml', '');
    chmodSync(group, 0o664);
    assert.match(trust().problem(group)?.reason ?? '', /writable by other users/);
    const sticky = join(tree.root, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    const below = tree.file('sticky/config.yaml', '');
    assert.equal(trust().problem(below), undefined, 'a root-owned entry of a sticky directory');
    assert.match(trust().problem(sticky)?.reason ?? '', /writable by other users/, 'the sticky directory itself is no plugin directory');
    assert.equal(trust().problem(sticky, true), undefined, 'but a fine place to write an output into');
    const open = join(tree.root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.match(trust().problem(tree.file('open/config.yaml', ''))?.reason ?? '', /writable by other users/, 'not sticky: anyone can swap the file');
  });

  it('checks where a symlink points and the directory that holds the link', () => {
    const target = tree.file('elsewhere/plugin/index.js', '');
    chownSync(join(tree.root, 'elsewhere'), NOBODY, NOBODY);
    mkdirSync(join(tree.root, 'links'));
    const link = join(tree.root, 'links', 'plugin');
    symlinkSync(join(tree.root, 'elsewhere', 'plugin'), link);
    assert.equal(trust().problem(join(link, 'index.js'))?.path, join(tree.root, 'elsewhere'));
    assert.ok(existsSync(target));
  });

  it('trusts the sudo user as well as root', () => {
    const file = tree.file('sudo/config.yaml', '');
    chownSync(join(tree.root, 'sudo'), 1234, 1234);
    chownSync(file, 1234, 1234);
    assert.ok(trust().problem(file));
    assert.equal(new PathTrust([0, 1234]).problem(file), undefined);
  });
});

describe('the project search stops at the project root', () => {
  const tree = new TempTree();
  after(() => tree.remove());

  it('climbs to the nearest package.json or .git, never above; without one, the working directory alone', () => {
    tree.file('p/package.json', '{}');
    mkdirSync(join(tree.root, 'p/a/b'), { recursive: true });
    assert.deepEqual(projectDirs(join(tree.root, 'p/a/b')), [join(tree.root, 'p/a/b'), join(tree.root, 'p/a'), join(tree.root, 'p')]);
    mkdirSync(join(tree.root, 'g/.git/x'), { recursive: true });
    mkdirSync(join(tree.root, 'g/src'), { recursive: true });
    assert.deepEqual(projectDirs(join(tree.root, 'g/src')), [join(tree.root, 'g/src'), join(tree.root, 'g')]);
    mkdirSync(join(tree.root, 'loose/deeper'), { recursive: true });
    assert.deepEqual(projectDirs(join(tree.root, 'loose/deeper')), [join(tree.root, 'loose/deeper')]);
  });

  it("searches plugins in the project's own node_modules and in the CLI's install, not in every node_modules above", () => {
    for (const dir of [
      'node_modules',
      'proj/node_modules',
      'global/lib/node_modules',
      'inst/node_modules/@aminator/core-bin/node_modules',
      'ck/.git',
      'ck/node_modules',
    ]) {
      mkdirSync(join(tree.root, dir), { recursive: true });
    }
    tree.file('proj/package.json', '{}');
    mkdirSync(join(tree.root, 'proj/sub'), { recursive: true });
    mkdirSync(join(tree.root, 'ck/packages/core-bin'), { recursive: true });
    const installed = pluginSearchPaths({
      cliDir: join(tree.root, 'inst/node_modules/@aminator/core-bin'),
      projectDir: join(tree.root, 'proj/sub'),
      globalPrefix: join(tree.root, 'global'),
    });
    assert.deepEqual(installed, [
      join(tree.root, 'inst/node_modules/@aminator/core-bin/node_modules'),
      join(tree.root, 'inst/node_modules'),
      join(tree.root, 'proj/node_modules'),
      join(tree.root, 'global/lib/node_modules'),
    ]);
    const checkout = pluginSearchPaths({
      cliDir: join(tree.root, 'ck/packages/core-bin'),
      projectDir: join(tree.root, 'proj'),
      globalPrefix: join(tree.root, 'global'),
    });
    assert.deepEqual(checkout, [join(tree.root, 'ck/node_modules'), join(tree.root, 'proj/node_modules'), join(tree.root, 'global/lib/node_modules')]);
    assert.ok(![...installed, ...checkout].includes(join(tree.root, 'node_modules')), 'the node_modules above them all is never searched');
  });
});

describe('plainText: what another program wrote, safe for a terminal', () => {
  it('removes CSI, 8-bit CSI, OSC (title, clipboard), DCS and every control character but tab and newline', () => {
    const hostile = 'a\x1b[2J\x1b[31mred\x1b[0m\tb\x1b]0;title\x07c\x1b]52;c;b3duZWQ=\x1b\\d\x1bP+q544e\x1b\\e\u009b31mf\x07g\rh\x00i\x7fj\u0085k\nnext ✓ ü';
    assert.equal(plainText(hostile), 'ared\tbcdefghijk\nnext ✓ ü');
  });
});

describe('writeOutputFile: a file a user named, written as root', ROOT_ONLY, () => {
  const tree = new TempTree();
  after(() => tree.remove());
  const writeText = (text: string) => async (to: string) => writeFileSync(to, text);

  it('makes a new file with mode 0600 through a temporary file beside it', async () => {
    const target = join(tree.root, 'out.raw');
    await writeOutputFile(target, writeText('data'));
    assert.equal(readFileSync(target, 'utf8'), 'data');
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(tree.root), ['out.raw']);
  });

  it('refuses what is already there — a dangling link above all — unless forced, and never writes through a link', async () => {
    const target = join(tree.root, 'missing-target');
    const link = join(tree.root, 'link.raw');
    symlinkSync(target, link);
    await assert.rejects(writeOutputFile(link, writeText('x'), { field: '--output' }), /--output: .*link\.raw is a symbolic link; nothing was written/);
    assert.equal(existsSync(target), false);
    await writeOutputFile(link, writeText('forced'), { force: true });
    assert.equal(lstatSync(link).isFile(), true);
    assert.equal(existsSync(target), false);
    await assert.rejects(writeOutputFile(join(tree.root, 'out.raw'), writeText('again')), /exists; nothing was written/);
  });

  it('removes the temporary file when the write fails', async () => {
    const target = join(tree.root, 'failed.raw');
    await assert.rejects(
      writeOutputFile(target, async () => {
        throw new Error('qemu-img failed');
      }),
      /qemu-img failed/,
    );
    assert.deepEqual(
      readdirSync(tree.root).filter((n) => n.includes('failed')),
      [],
    );
  });

  it('refuses a directory another user could swap entries in', async () => {
    const open = join(tree.root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    await assert.rejects(writeOutputFile(join(open, 'x.raw'), writeText('x')), { code: 'E_UNTRUSTED_PATH' });
  });
});
