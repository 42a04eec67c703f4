import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jsonLines, ROOT_ONLY, runCli } from '@aminator/testkit';
import { LocalRegistry, npmEnv, publicPackages, repo } from './local-registry.js';
import { type LocalWorld, openLocalWorld } from './local-world.js';
import { runProcess } from './run-process.js';

const LOCAL_SET = [
  '@aminator/core-bin',
  '@aminator/cloud-local',
  '@aminator/volume-linux',
  '@aminator/os-debian',
  '@aminator/provisioner-apt',
  '@aminator/finalizer-local',
];
const EC2_SET = [
  '@aminator/core-bin',
  '@aminator/cloud-ec2',
  '@aminator/finalizer-ebs',
  '@aminator/volume-linux',
  '@aminator/os-debian',
  '@aminator/provisioner-apt',
];

/** Package names in `npm ls -g --all --json` of a prefix. */
function namesIn(tree: Record<string, any>): Set<string> {
  const names = new Set<string>();
  const walk = (deps: Record<string, any> | undefined): void => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      names.add(name);
      walk(node.dependencies);
    }
  };
  walk(tree.dependencies);
  return names;
}

describe('installed like any npm tool: published to a registry (Verdaccio), installed with npm i -g', ROOT_ONLY, () => {
  const registry = new LocalRegistry();
  const prefixes = mkdtempSync(join(tmpdir(), 'aminator-e2e-prefixes-'));
  const packages = publicPackages();
  let world: LocalWorld;
  const install = async (name: string, names: readonly string[]) => {
    const prefix = join(prefixes, name);
    const result = await registry.npm(['install', '--global', '--prefix', prefix, ...names]);
    assert.equal(result.code, 0, result.stderr);
    const tree = JSON.parse((await registry.npm(['ls', '--global', '--prefix', prefix, '--all', '--json'])).stdout) as Record<string, any>;
    return {
      prefix,
      output: result.stderr + result.stdout,
      names: namesIn(tree),
      bin: join(prefix, 'lib', 'node_modules', '@aminator', 'core-bin', 'bin', 'aminate.js'),
    };
  };

  before(async () => {
    world = await openLocalWorld('aminator-e2e-registry-world-');
    await registry.start();
    await registry.publish(packages);
  });
  after(() => {
    registry.stop();
    rmSync(prefixes, { recursive: true, force: true });
    world?.close();
  });

  it('each package ships its compiled code, README and package.json, and no tests, fixtures or source maps; engines and peers as declared', async () => {
    assert.ok(packages.length >= 16, packages.map((p) => p.name).join(', '));
    const workspaces = packages.flatMap((p) => ['--workspace', p.name]);
    const packing = await registry.npm(['pack', '--dry-run', '--json', '--ignore-scripts', ...workspaces], repo);
    assert.equal(packing.code, 0, packing.stderr);
    const packs = new Map((JSON.parse(packing.stdout) as Array<{ name: string; files: Array<{ path: string }> }>).map((p) => [p.name, p]));
    for (const p of packages) {
      const packed = packs.get(p.name);
      const files = packed?.files.map((f) => f.path) ?? [];
      assert.ok(files.includes('package.json') && files.includes('README.md'), `${p.name}: ${files.join(' ')}`);
      assert.ok(
        files.some((f) => /^dist\/src\/index\.(js|d\.ts)$/.test(f)),
        `${p.name} ships dist/src/index.js`,
      );
      const stray = files.filter((f) => /(^|\/)test\/|fixtures\/|\.map$|^src\/|tsconfig|tsbuildinfo/.test(f));
      assert.deepEqual(stray, [], `${p.name} ships no tests, fixtures, sources or maps`);
      assert.equal(p.pkg.engines?.node, '>=20.19', `${p.name} engines`);
      if (p.name !== '@aminator/core' && p.pkg.keywords?.includes('aminator-plugin')) {
        assert.ok(p.pkg.peerDependencies?.['@aminator/core'], `${p.name}: core as a peer`);
        assert.equal(p.pkg.dependencies?.['@aminator/core'], undefined, `${p.name}: core not a dependency`);
      }
    }
  });

  it('the local Linux set and a third-party plugin of another scope, in an empty prefix: complete, no @aws-sdk, no peer warning, a bake with the third-party plugin; npm rm -g takes it out', async () => {
    const local = await install('local', [...LOCAL_SET, '@acme/aminator-provisioner-script']);
    assert.doesNotMatch(local.output, /peer dep|ERESOLVE|conflicting peer/i, 'no peer-dependency warnings');
    assert.deepEqual(
      [...local.names].filter((n) => n.startsWith('@aws-sdk/')),
      [],
      'no @aws-sdk in the local set',
    );
    const environments = await runCli(local.bin, ['environments', '--json'], { cwd: world.scratch });
    const env = JSON.parse(environments.stdout).environments.find((e: { name: string }) => e.name === 'local_apt_linux');
    const missing = Object.entries(env.plugins as Record<string, { installed: boolean; optional: boolean }>).filter(([, p]) => !p.installed && !p.optional);
    assert.deepEqual(missing, [], 'every plugin of local_apt_linux installed');
    const doctor = await runCli(local.bin, ['plugins', 'doctor'], { cwd: world.scratch });
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    // A bake from that install, through the third-party provisioner (installed apart from core-bin, as npm i -g does).
    const config = join(prefixes, 'script.config.json');
    const base = JSON.parse(readFileSync(world.config, 'utf8'));
    writeFileSync(
      config,
      JSON.stringify({
        ...base,
        environment: 'local_script_linux',
        environments: {
          local_script_linux: { cloud: 'local', volume: 'linux', os: 'debian', provisioner: 'script', finalizer: 'local' },
        },
      }),
    );
    const script = join(prefixes, 'setup.sh');
    writeFileSync(script, '#!/bin/sh\nset -e\necho "from npm" > /etc/e2e-from-npm\n');
    chmodSync(script, 0o755);
    const bake = await runCli(local.bin, ['-c', config, '--json', 'bake', '--base-image', 'debian-base', script], { cwd: world.scratch });
    assert.equal(bake.code, 0, bake.stderr + bake.stdout.slice(-3000));
    assert.equal(jsonLines(bake.stdout).at(-1)?.status, 'succeeded');
    world.assertNothingLeft();
    const removed = await registry.npm(['rm', '--global', '--prefix', local.prefix, '@acme/aminator-provisioner-script']);
    assert.equal(removed.code, 0, removed.stderr);
    const listed = await runCli(local.bin, ['plugins', 'list', '--json'], { cwd: world.scratch });
    assert.ok(!JSON.parse(listed.stdout).plugins.some((p: { package: string }) => p.package === '@acme/aminator-provisioner-script'));
  });

  it("the CI action's script (ci/github/bake.sh), outside GitHub: installs from the registry into an empty prefix, bakes, and hands on the image's id and name; a failed bake hands on none", async () => {
    const prefix = join(prefixes, 'ci-action');
    const temp = mkdtempSync(join(prefixes, 'runner-temp-'));
    const outputs = join(temp, 'github-output');
    const runScript = (inputs: Record<string, string>) =>
      runProcess('bash', [join(repo, 'ci', 'github', 'bake.sh')], {
        cwd: world.scratch,
        env: {
          ...npmEnv(),
          NPM_CONFIG_USERCONFIG: registry.npmrc,
          NPM_CONFIG_PREFIX: prefix,
          GITHUB_OUTPUT: outputs,
          RUNNER_TEMP: temp,
          INPUT_PACKAGES: LOCAL_SET.join(' '),
          INPUT_ENVIRONMENT: 'local_apt_linux',
          INPUT_CONFIG: world.config,
          INPUT_BASE_IMAGE: 'debian-base',
          ...inputs,
        },
      });
    const outputLines = () => (existsSync(outputs) ? readFileSync(outputs, 'utf8').trim().split('\n') : []);

    const refused = await runScript({ INPUT_PACKAGE: 'hello', INPUT_VERSION: '1.0; rm -rf /' });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /version or dist-tag/);
    assert.equal(existsSync(prefix), false, 'refused before installing anything');

    const baked = await runScript({ INPUT_PACKAGE: 'hello', INPUT_ARGS: '--suffix ci-action' });
    assert.equal(baked.code, 0, baked.stderr.slice(-3000) + baked.stdout.slice(-3000));
    const out = Object.fromEntries(outputLines().map((l) => l.split(/=(.*)/s).slice(0, 2)));
    assert.match(out['image-id'] ?? '', /^img-[0-9a-f]{12}$/);
    assert.match(out['image-name'] ?? '', /^hello-.*-ci-action$/);
    assert.ok(world.images().includes(out['image-id'] ?? ''), 'the image is in the store');
    assert.equal(jsonLines(readFileSync(out.events ?? '', 'utf8')).at(-1)?.status, 'succeeded');
    assert.match(baked.stdout, /every host tool is installed/, 'nothing to install on this host');

    writeFileSync(outputs, '');
    const failed = await runScript({ INPUT_PACKAGE: 'aminator-e2e-no-such-package' });
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /aminate bake failed: E_PACKAGE_NOT_FOUND/);
    assert.deepEqual(
      outputLines().filter((l) => l.startsWith('image-')),
      [],
      'no image id from a failed bake',
    );
  });

  it('the EC2 set, in an empty prefix: no local-cloud package, ec2_apt_linux complete, and one copy of each shared library in use', async () => {
    const ec2 = await install('ec2', EC2_SET);
    assert.deepEqual(
      [...ec2.names].filter((n) => ['@aminator/cloud-local', '@aminator/finalizer-local'].includes(n)),
      [],
    );
    assert.ok(ec2.names.has('@aws-sdk/client-ec2'));
    const environments = await runCli(ec2.bin, ['environments', '--json'], { cwd: world.scratch });
    const env = JSON.parse(environments.stdout).environments.find((e: { name: string }) => e.name === 'ec2_apt_linux');
    assert.deepEqual(
      Object.values(env.plugins as Record<string, { installed: boolean; optional: boolean }>).filter((p) => !p.installed && !p.optional),
      [],
    );
    const doctor = await runCli(ec2.bin, ['-e', 'ec2_apt_linux', 'plugins', 'doctor', '--json'], { cwd: world.scratch });
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    assert.equal(JSON.parse(doctor.stdout).sharedBy, 'hooks', 'npm installs global packages apart: only the hooks give them one core');
    const shared = new Map((JSON.parse(doctor.stdout).shared as Array<{ name: string; path: string; copies: string[] }>).map((s) => [s.name, s]));
    for (const name of ['@aminator/aws-ec2', '@aminator/linux-host']) {
      const library = shared.get(name) ?? assert.fail(`${name} is not shared: ${doctor.stdout}`);
      assert.ok(library.copies.length >= 2, `npm put a copy of ${name} beside each plugin that needs it: ${library.copies.join(', ')}`);
      assert.ok(library.copies.includes(library.path), 'and the one every plugin imports is one of them');
    }
    // What the process really loaded: a load hook registered before aminate's records every module URL,
    // and at exit every file CommonJS loaded (core takes tsyringe through require()).
    const loadedLog = join(prefixes, 'loaded-modules.txt');
    const recorder = join(prefixes, 'record-loads.mjs');
    const hook = `import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(${JSON.stringify(loadedLog)}, url + '\\n'); return next(url, context); }`;
    const atExit = `process.on('exit', () => appendFileSync(${JSON.stringify(loadedLog)}, Object.keys(createRequire(import.meta.url).cache).map((f) => pathToFileURL(f).href + '\\n').join('')));`;
    writeFileSync(
      recorder,
      `import { appendFileSync } from 'node:fs';\nimport { createRequire, register } from 'node:module';\nimport { pathToFileURL } from 'node:url';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});\n${atExit}\n`,
    );
    const traced = await runCli(ec2.bin, ['-e', 'ec2_apt_linux', 'plugins', 'doctor'], { cwd: world.scratch, env: { NODE_OPTIONS: `--import=${recorder}` } });
    assert.equal(traced.code, 0, traced.stdout + traced.stderr);
    const loaded = readFileSync(loadedLog, 'utf8').split('\n');
    for (const name of ['@aminator/aws-ec2', '@aminator/linux-host', '@aminator/core', 'tsyringe']) {
      const copies = new Set(loaded.filter((url) => url.includes(`/node_modules/${name}/`)).map((url) => url.slice(0, url.indexOf(`/node_modules/${name}/`))));
      assert.equal(copies.size, 1, `one copy of ${name} loaded: ${[...copies].join(', ')}`);
    }
  });
});
