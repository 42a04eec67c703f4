import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { compareDebianVersions, compareRpmVersions } from '../src/version-order.js';

// Pairs that trip hand-written comparisons: epochs, `~` before the end, `+debNuM` security updates,
// leading zeros, letters against digits, rpm's `^` and separators.
const DEB_PAIRS: Array<[string, string]> = [
  ['3.0.11-1~deb12u2', '3.0.13-1~deb12u1'],
  ['3.0.13-1~deb12u1', '3.0.13-1'],
  ['1:1.0-1', '2.0-1'],
  ['1.0~rc1', '1.0'],
  ['1.0~~', '1.0~'],
  ['1.0', '1.0+deb12u1'],
  ['1.0-1+deb12u1', '1.0-1+deb12u10'],
  ['2.10', '2.9'],
  ['1.001', '1.1'],
  ['1.0a', '1.0'],
  ['1.0-1', '1.0-1'],
  ['0:1.0', '1.0'],
  ['1.2.3-4ubuntu0.1', '1.2.3-4'],
  ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12'],
];

const RPM_PAIRS: Array<[string, string]> = [
  ['1.0~rc1-1', '1.0-1'],
  ['1.0^git1-1', '1.0-1'],
  ['1.0^git1-1', '1.0.1-1'],
  ['1:1.0-1', '2.0-1'],
  ['1.0-1.el9', '1.0-1.el9_2'],
  ['2.10-1', '2.9-1'],
  ['1.0a-1', '1.0-1'],
  ['1.0-1', '1.0-1'],
  ['3.0.7-24.el9', '3.0.7-27.el9'],
  ['1.0_1-1', '1.0.1-1'],
  ['1.001-1', '1.1-1'],
  ['a-1', '1-1'],
];

function dpkgSays(a: string, b: string): number {
  const lt = spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0;
  const eq = spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0;
  return lt ? -1 : eq ? 0 : 1;
}

function rpmSays(a: string, b: string): number {
  // rpm's own comparison of two EVR strings, through its Lua interpreter.
  const out = spawnSync('rpm', ['--eval', `%{lua: print(rpm.vercmp(${JSON.stringify(a)}, ${JSON.stringify(b)}))}`], { encoding: 'utf8' });
  return Math.sign(Number(out.stdout.trim()));
}

describe('version ordering', () => {
  it('orders Debian versions as dpkg --compare-versions does', () => {
    for (const [a, b] of DEB_PAIRS) {
      const expected = dpkgSays(a, b);
      assert.equal(Math.sign(compareDebianVersions(a, b)), expected, `${a} vs ${b}`);
      assert.equal(Math.sign(compareDebianVersions(b, a)), -expected || 0, `${b} vs ${a}`);
    }
  });

  it("orders rpm versions as rpm's vercmp does", { skip: spawnSync('rpm', ['--version']).status !== 0 ? 'no rpm on this host' : false }, () => {
    for (const [a, b] of RPM_PAIRS) {
      const expected = rpmSays(a, b);
      assert.equal(Math.sign(compareRpmVersions(a, b)), expected, `${a} vs ${b}`);
      assert.equal(Math.sign(compareRpmVersions(b, a)), -expected || 0, `${b} vs ${a}`);
    }
  });

  it('the tricky cases come out as the families define them', () => {
    assert.ok(compareDebianVersions('1:1.0', '9.9') > 0, 'an epoch wins');
    assert.ok(compareDebianVersions('1.0~rc1', '1.0') < 0, '~ sorts before the end');
    assert.ok(compareDebianVersions('3.0.11-1~deb12u2', '3.0.13-1~deb12u1') < 0);
    assert.ok(compareRpmVersions('1.0^post1-1', '1.0-1') > 0, '^ sorts after the end');
  });
});
