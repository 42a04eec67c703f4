import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type DependencyContainer, container as rootContainer } from '@aminator/core';
import {
  type BakePlugin,
  COMMAND_RUNNER,
  type CommandRunner,
  type DiscoveredPlugin,
  ErrorCodes,
  EVENT_SINK,
  FileLockManager,
  inReclaimOrder,
  isAminatorError,
  KIND_METHODS,
  LOCK_FILE_SUFFIX,
  LOCK_MANAGER,
  LOGGER,
  lockFileText,
  moduleShapeProblems,
  type OperatingSystem,
  PLUGIN_KEYWORD,
  type PluginKind,
  type PluginKindMap,
  type PluginModule,
  pluginLabel,
  pluginManifestSchema,
  RESERVED_FLAGS,
  registerPlugin,
  resolvePlugin,
  SUPPORTED_PLUGIN_API_VERSIONS,
  type Verifier,
} from '@aminator/core/internal';
import { RecordingCommandRunner } from './recording-command-runner.js';
import { ROOT_ONLY } from './root-only.js';
import { createTestStepContext, EventRecorder, type TestStepContext } from './test-step-context.js';
import { unwindAfter } from './unwind-after.js';

export interface ConformanceOptions<K extends PluginKind> {
  /** The plugin package's directory: its package.json manifest is checked against the module. */
  readonly packageDir?: string;
  /** A valid config section for the plugin (default `{}`). */
  readonly config?: unknown;
  /** Config sections the schema must refuse. */
  readonly invalidConfigs?: readonly unknown[];
  /** Register further services the plugin injects (core's are there: runner, locks, logger, events). */
  readonly services?: (container: DependencyContainer) => void;
  /**
   * Drive the instance through what it acquires; conformance then unwinds the cleanup stack and
   * checks that every undo succeeds, and `assertReleased` (if given) that nothing is left.
   */
  readonly lifecycle?: (instance: PluginKindMap[K], harness: TestStepContext) => Promise<void>;
  readonly assertReleased?: () => Promise<void> | void;
  /**
   * With `lifecycle`: crash recovery. `lifecycle` runs again and its cleanup stack is dropped, as
   * `kill -9` would; then `findLeftovers` (every run counts as dead) must list something, and after
   * reclaiming what it lists, `assertReleased` must hold.
   */
  readonly crashRecovery?: boolean;
  /** The lifecycle needs root (loop devices, mounts): skipped, saying so, for other users. */
  readonly lifecycleNeedsRoot?: boolean;
}

/**
 * The tests every plugin package runs: `describePluginConformance(plugin, { packageDir })` inside a
 * `node --test` file. They check the export's shape, the package.json manifest, the config schema,
 * the declared flags, that `register` binds a working instance of the kind, and optionally that what
 * the plugin acquires is undone.
 */
export function describePluginConformance<K extends PluginKind>(module: PluginModule<K, any>, options: ConformanceOptions<K> = {}): void {
  const lockDirs: string[] = [];
  after(() => {
    for (const dir of lockDirs) rmSync(dir, { recursive: true, force: true });
  });
  describe(`conformance: ${module.kind}/${module.name}`, () => {
    it('exports a well-formed PluginModule', () => {
      assert.deepEqual(moduleShapeProblems(module), []);
    });

    if (options.packageDir) {
      const dir = options.packageDir;
      it('has a package.json manifest for a supported plugin API, matching the module, with core as a peer and no copy of core or tsyringe of its own', () =>
        checkPackageJson(dir, module));
    }

    it('accepts its valid config and refuses invalid ones', () => {
      assert.equal(module.configSchema.safeParse(options.config ?? {}).success, true, 'valid config refused');
      for (const bad of options.invalidConfigs ?? []) {
        assert.equal(module.configSchema.safeParse(bad).success, false, `invalid config accepted: ${JSON.stringify(bad)}`);
      }
    });

    it('declares flags that are unique and not reserved by aminate', () => {
      const flags = (module.options ?? []).map((o) => o.flag);
      assert.equal(new Set(flags).size, flags.length, 'duplicate flags');
      for (const flag of flags) assert.ok(!RESERVED_FLAGS.includes(flag), `--${flag} is reserved`);
    });

    it("registers an instance of its kind with the kind's methods", async () => {
      const instance = (await registerInFreshContainer(module, options, lockDirs)).instance;
      for (const method of KIND_METHODS[module.kind]) {
        assert.equal(typeof (instance as unknown as Record<string, unknown>)[method], 'function', `missing ${method}`);
      }
    });

    if (module.kind === 'os') {
      it('os: a foundation, when offered, says whether it boots and refuses an empty request before making anything', async () => {
        const os = (await registerInFreshContainer(module, options, lockDirs)).instance as OperatingSystem;
        if (!os.foundation) return;
        assert.equal(typeof os.foundation.boots, 'boolean');
        assert.throws(
          () =>
            os.foundation?.plan({
              name: 'conformance',
              options: { suite: '../x', releasever: '../x', mirror: 'ftp://x', repo: 'ftp://x' },
              bootable: false,
              architecture: 'x86_64',
            }),
          (error: unknown) => isAminatorError(error) && error.exitCode === 2,
          'an invalid release or source is a usage error (exit 2)',
        );
      });
    }

    if (module.kind === 'verifier') describeVerifierContract(() => registerInFreshContainer(module, options, lockDirs).then((r) => r.instance as Verifier));

    if (options.lifecycle) {
      const lifecycle = options.lifecycle;
      it('undoes everything it acquires', options.lifecycleNeedsRoot ? ROOT_ONLY : {}, async () => {
        const instance = (await registerInFreshContainer(module, options, lockDirs)).instance;
        const harness = createTestStepContext();
        await unwindAfter(harness, () => lifecycle(instance, harness));
        await options.assertReleased?.();
      });
    }
    if (options.lifecycle && options.crashRecovery) {
      const lifecycle = options.lifecycle;
      it('finds and reclaims what it acquired after a crash (findLeftovers)', options.lifecycleNeedsRoot ? ROOT_ONLY : {}, async () => {
        const lockDir = mkdtempSync(join(tmpdir(), 'aminator-conformance-locks-'));
        lockDirs.push(lockDir);
        const { instance, container } = await registerInFreshContainer(module, options, lockDirs, lockDir);
        const harness = createTestStepContext();
        const locks = new FileLockManager(lockDir, 'conformance');
        try {
          await lifecycle(instance, harness);
          const finder = (instance as { findLeftovers?: BakePlugin['findLeftovers'] }).findLeftovers;
          if (!finder) assert.fail('crashRecovery needs findLeftovers');
          // As after kill -9: the stack is never unwound, and the run (this process) counts as gone.
          breakAllLocks(lockDir);
          const leftovers = await finder.call(instance, {
            workRoot: harness.ctx.workDir,
            runs: { isAlive: async () => false },
            locks,
            commands: container.resolve<CommandRunner>(COMMAND_RUNNER),
            log: harness.ctx.log,
            signal: new AbortController().signal,
          });
          assert.ok(leftovers.length > 0, 'findLeftovers lists what the lifecycle acquired');
          for (const leftover of inReclaimOrder(leftovers)) await leftover.reclaim();
        } catch (error) {
          // Only when recovery failed: after a reclaim, a loop device number may belong to someone else.
          await harness.stack.unwind({ reason: 'failure' });
          throw error;
        }
        await options.assertReleased?.();
      });
    }
  });
}

/**
 * What core relies on from every verifier: a plan without a bake (`aminate verify`), and an image it
 * cannot check (one with no boot loader) failing as a verification, with exit 1 and nothing left.
 */
function describeVerifierContract(instance: () => Promise<Verifier>): void {
  it("verifier: describes its checks without a bake's plan (aminate verify)", async () => {
    const verifier = await instance();
    assert.equal(typeof verifier.describePlan, 'function', 'a verifier says in the plan what it will check (--dry-run)');
    const lines = verifier.describePlan(undefined);
    assert.ok(Array.isArray(lines) && lines.length > 0 && lines.every((l) => typeof l === 'string' && l.length > 0), JSON.stringify(lines));
  });

  it('verifier: an image that boots in no mode fails with E_VERIFY_FAILED (exit 1), and what it acquired is undone', async () => {
    const verifier = await instance();
    const harness = createTestStepContext();
    const image = { id: 'img-conformance', name: 'conformance', cloud: 'conformance', region: 'here', tags: {} };
    await unwindAfter(harness, () =>
      assert.rejects(
        verifier.verify({ image, disk: { path: '/nonexistent/aminator-conformance.raw', bootModes: [] }, environment: 'conformance' }, harness.ctx),
        (error: unknown) => isAminatorError(error) && error.code === ErrorCodes.VERIFY_FAILED && error.exitCode === 1,
      ),
    );
  });
}

async function registerInFreshContainer<K extends PluginKind>(
  module: PluginModule<K, any>,
  options: ConformanceOptions<K>,
  lockDirs: string[],
  lockDir?: string,
): Promise<{ instance: PluginKindMap[K]; container: DependencyContainer }> {
  const container = rootContainer.createChildContainer();
  const locks = lockDir ?? mkdtempSync(join(tmpdir(), 'aminator-conformance-locks-'));
  lockDirs.push(locks);
  const events = new EventRecorder();
  container.register(EVENT_SINK, { useValue: events });
  container.register(COMMAND_RUNNER, { useValue: new RecordingCommandRunner() });
  container.register(LOCK_MANAGER, { useValue: new FileLockManager(locks, 'conformance') });
  container.register(LOGGER, { useValue: createTestStepContext().ctx.log });
  options.services?.(container);
  const parsed = module.configSchema.safeParse(options.config ?? {});
  assert.ok(parsed.success, 'config refused');
  // The register and resolve phases aminate itself runs, not a copy of them.
  const plugin = { kind: module.kind, name: module.name, packageName: `conformance:${module.name}` } as DiscoveredPlugin;
  await registerPlugin(container, { plugin, module: module as PluginModule }, parsed.data);
  return { instance: resolvePlugin(container, module.kind, pluginLabel(plugin)) as PluginKindMap[K], container };
}

function checkPackageJson(dir: string, module: PluginModule<PluginKind, unknown>): void {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, any>;
  assert.ok(Array.isArray(pkg.keywords) && pkg.keywords.includes(PLUGIN_KEYWORD), `keywords lacks "${PLUGIN_KEYWORD}"`);
  const manifest = pluginManifestSchema.parse(pkg.aminator);
  // The manifest's number is what aminate checks before import; the module's usually is PLUGIN_API_VERSION itself.
  assert.ok(
    SUPPORTED_PLUGIN_API_VERSIONS.includes(manifest.apiVersion),
    `package.json declares plugin API ${manifest.apiVersion}; this core supports ${SUPPORTED_PLUGIN_API_VERSIONS.join(', ')}`,
  );
  assert.deepEqual(
    { kind: manifest.kind, name: manifest.name, apiVersion: manifest.apiVersion },
    { kind: module.kind, name: module.name, apiVersion: module.apiVersion },
  );
  assert.ok(pkg.peerDependencies?.['@aminator/core'], '@aminator/core must be a peerDependency');
  // A plugin takes tsyringe's decorators from @aminator/core; one that imports tsyringe itself lists it as a peer.
  for (const shared of ['@aminator/core', 'tsyringe']) {
    assert.equal(pkg.dependencies?.[shared], undefined, `${shared} must not be a dependency (one copy per process)`);
  }
}

/** Lock files of this process, rewritten to name a pid that has exited: what a crash leaves. */
function breakAllLocks(dir: string): void {
  for (const name of readdirSync(dir).filter((n) => n.endsWith(LOCK_FILE_SUFFIX))) {
    writeFileSync(join(dir, name), lockFileText({ pid: 2 ** 22 + 1, host: 'crashed', runId: 'crashed', startTicks: 1, acquiredAt: new Date().toISOString() }));
  }
}
