// Decorated classes need the Reflect metadata API before tsyringe loads, whichever entry imports them.
import 'reflect-metadata';
import { join } from 'node:path';
import { inject, injectable } from 'tsyringe';
import { AminatorError, isAminatorError } from '../errors/aminator-error.js';
import type { CleanupError } from '../errors/cleanup-error.js';
import { ErrorCodes } from '../errors/error-codes.js';
import { EXIT_INTERRUPTED, EXIT_OK } from '../errors/exit-codes.js';
import { summarizeError } from '../errors/format-error.js';
import { UsageError } from '../errors/usage-error.js';
import type { EventSink, RunKind } from '../interfaces/bake-events.js';
import type { BakePlan } from '../interfaces/bake-plan.js';
import type { BakePlugin } from '../interfaces/bake-plugin.js';
import type { CloudVolume, ImageResult, InstalledPackage } from '../interfaces/bake-types.js';
import type { BlockDeviceAllocator } from '../interfaces/block-device.js';
import type { Cloud } from '../interfaces/cloud.js';
import type { Finalizer } from '../interfaces/finalizer.js';
import type { LockManager } from '../interfaces/lock-manager.js';
import type { Metrics } from '../interfaces/metrics.js';
import type { OperatingSystem } from '../interfaces/operating-system.js';
import type { PlanContext } from '../interfaces/plan-context.js';
import type { Provisioner } from '../interfaces/provisioner.js';
import type { StepContext } from '../interfaces/step-context.js';
import type { ImageDisk, VerificationResult, Verifier } from '../interfaces/verifier.js';
import type { VolumeManager } from '../interfaces/volume.js';
import { newRunId } from '../reclaim/run-id.js';
import { keepsRunLog } from '../runtime/run-log-file.js';
import { BAKE_SETTINGS, BLOCK_DEVICE, CLOUD, EVENT_SINK, FINALIZER, LOCK_MANAGER, METRICS, OS, PROVISIONER, VOLUME } from '../tokens.js';
import type { BakeOutcome } from './bake-outcome.js';
import type { BakeRequest, BootRequest, VerifyRequest } from './bake-request.js';
import type { BakeSettings } from './bake-settings.js';
import { BOOT_IMAGE_STEPS, bakeSteps, type RunStep, VERIFY_IMAGE_STEPS } from './bake-steps.js';
import type { UnwindOptions, UnwindReport } from './cleanup-stack.js';
import { holdRunLock, makeRunWorkDir } from './run-frame.js';
import { StepRunner } from './step-runner.js';

interface Progress {
  plan?: BakePlan;
  planLines?: readonly string[];
  volume?: CloudVolume;
  package?: InstalledPackage;
  image?: ImageResult;
  verification?: VerificationResult;
}

/**
 * The bake: plan, then acquire (volume, device, attachment, mount, chroot), install, tear down,
 * finalize, clean up. Every acquisition is on the cleanup stack before the next step starts; any
 * failure or interruption unwinds it.
 */
@injectable()
export class BakePipeline {
  /** Undo errors after the first of an unwind that had to throw, per run, until the result reports them. */
  private readonly unreported = new WeakMap<StepRunner, CleanupError[]>();

  constructor(
    @inject(CLOUD) private readonly cloud: Cloud,
    @inject(BLOCK_DEVICE) private readonly blockDevice: BlockDeviceAllocator,
    @inject(VOLUME) private readonly volumes: VolumeManager,
    @inject(OS) private readonly os: OperatingSystem,
    @inject(PROVISIONER) private readonly provisioner: Provisioner,
    @inject(FINALIZER) private readonly finalizer: Finalizer,
    @inject(METRICS) private readonly metrics: Metrics,
    @inject(EVENT_SINK) private readonly events: EventSink,
    @inject(BAKE_SETTINGS) private readonly settings: BakeSettings,
    @inject(LOCK_MANAGER) private readonly locks: LockManager,
  ) {}

  async run(request: BakeRequest, signal: AbortSignal): Promise<BakeOutcome> {
    const steps = request.dryRun ? ['plan' as const] : bakeSteps({ verify: this.settings.verify !== undefined });
    return this.runSteps(
      { kind: 'bake', environment: request.environment, package: request.packageSpec, steps, dryRun: request.dryRun, preserveOnError: request.preserveOnError },
      signal,
      (runner, progress) => this.bake(request, runner, progress),
    );
  }

  /**
   * `aminate verify`: the environment's verifier on an image that exists already — the same run
   * frame as a bake (events, run lock, work directory, cleanup), but nothing is made, and a failed
   * verification removes nothing.
   */
  async verifyImage(request: VerifyRequest, signal: AbortSignal): Promise<BakeOutcome> {
    return this.onExistingImage(request, 'verify', VERIFY_IMAGE_STEPS, signal, async (verifier, image, disk, ctx) =>
      verifier.verify({ image, disk, environment: request.environment }, ctx),
    );
  }

  /** `aminate boot`: the verifier boots a copy of an existing image for a person, in the same run frame. */
  async bootImage(request: BootRequest, signal: AbortSignal): Promise<BakeOutcome> {
    if (this.settings.verify && !this.settings.verify.verifier.bootInteractive) {
      throw new UsageError("the environment's verifier cannot boot an image for a person", { suggestions: ['use an environment whose verifier is qemu'] });
    }
    return this.onExistingImage(request, 'boot', BOOT_IMAGE_STEPS, signal, async (verifier, image, disk, ctx) => {
      await verifier.bootInteractive?.({ image, disk, forwards: request.forwards }, ctx);
      return undefined;
    });
  }

  private async onExistingImage(
    request: VerifyRequest,
    kind: RunKind,
    stepNames: readonly RunStep[],
    signal: AbortSignal,
    work: (verifier: Verifier, image: ImageResult, disk: ImageDisk, ctx: StepContext) => Promise<VerificationResult | undefined>,
  ): Promise<BakeOutcome> {
    const verifier = this.settings.verify?.verifier;
    if (!verifier) throw new AminatorError('an image run needs a verifier in the bake settings', { code: ErrorCodes.INTERNAL });
    const steps = request.dryRun ? ['plan' as const] : stepNames;
    const [, workStep = 'verify'] = stepNames;
    return this.runSteps(
      { kind, environment: request.environment, package: '', image: request.imageRef, steps, dryRun: request.dryRun, preserveOnError: request.preserveOnError },
      signal,
      async (runner, progress) => {
        const { registered, lines } = await runner.run('plan', async (ctx) => {
          const found = await this.cloud.resolveBaseImage(request.imageRef, ctx);
          await verifier.preflight?.(undefined, ctx);
          return { registered: found, lines: [`image: ${found.name} (${found.id})`, ...(verifier.describePlan?.(undefined) ?? [])] };
        });
        const image: ImageResult = { id: registered.id, name: registered.name, cloud: request.cloud, region: registered.location ?? '', tags: registered.tags };
        progress.image = image;
        progress.planLines = lines;
        if (request.dryRun) return { status: 'planned', image, planLines: lines, cleanupErrors: [], kept: [], exitCode: EXIT_OK };
        progress.verification = await runner.run(workStep, async (ctx) => {
          await holdRunLock(this.locks, ctx);
          await makeRunWorkDir(this.settings.workRoot, ctx);
          return work(verifier, image, await this.imageDisk(image, ctx), ctx);
        });
        await runner.run('cleanup', () => this.unwindOrThrow(runner, { reason: 'success' }));
        return { status: 'succeeded', image, verification: progress.verification, cleanupErrors: [], kept: [], exitCode: EXIT_OK };
      },
    );
  }

  private async runSteps(
    run: { kind: RunKind; environment: string; package: string; image?: string; steps: readonly RunStep[]; dryRun: boolean; preserveOnError: boolean },
    signal: AbortSignal,
    body: (steps: StepRunner, progress: Progress) => Promise<Omit<BakeOutcome, 'steps' | 'durationMs' | 'runId'>>,
  ): Promise<BakeOutcome> {
    const runId = this.settings.runId ?? newRunId();
    const started = performance.now();
    const steps = new StepRunner({
      runId,
      signal,
      events: this.events,
      metrics: this.metrics,
      workDir: join(this.settings.workRoot, runId),
      dryRun: run.dryRun,
      abortGraceMs: this.settings.abortGraceMs,
      failpoints: this.settings.failpoints,
    });
    this.events.emit({
      type: 'run-start',
      kind: run.kind,
      time: new Date().toISOString(),
      runId,
      environment: run.environment,
      package: run.package,
      image: run.image,
      steps: [...run.steps],
      plugins: this.settings.plugins ?? {},
    });
    const progress: Progress = {};
    let outcome: Omit<BakeOutcome, 'steps' | 'durationMs' | 'runId'>;
    try {
      outcome = await body(steps, progress);
    } catch (error) {
      outcome = await this.fail(error, run.preserveOnError, steps, progress, signal);
    }
    const result: BakeOutcome = { ...outcome, runId, steps: steps.steps, durationMs: Math.round(performance.now() - started) };
    await this.report(result, run.kind);
    return result;
  }

  private async bake(request: BakeRequest, steps: StepRunner, progress: Progress): Promise<Omit<BakeOutcome, 'steps' | 'durationMs' | 'runId'>> {
    const { plan, lines } = await steps.run('plan', (ctx) => this.plan(request, ctx));
    progress.plan = plan;
    progress.planLines = lines;
    if (request.dryRun) return { status: 'planned', plan, planLines: lines, cleanupErrors: [], kept: [], exitCode: EXIT_OK };

    const volume = await steps.run('create-volume', async (ctx) => {
      await holdRunLock(this.locks, ctx);
      await makeRunWorkDir(this.settings.workRoot, ctx);
      return this.cloud.createVolume(plan.baseImage, ctx);
    });
    progress.volume = volume;
    const volumeMark = steps.stack.mark();
    const device = await steps.run('allocate-device', async (ctx) => this.blockDevice.allocate(await this.cloud.devicesInUse(ctx), ctx));
    const attachment = await steps.run('attach-volume', (ctx) => this.cloud.attachVolume(volume, device, ctx));
    const mounted = await steps.run('mount-volume', async (ctx) => this.volumes.mount(await this.blockDevice.waitForNode(attachment, ctx), ctx));
    const chroot = await steps.run('prepare-chroot', (ctx) => this.os.prepareChroot(mounted, ctx));
    const installed = await steps.run('provision', (ctx) =>
      this.provisioner.provision({ chroot, spec: plan.spec, baseImage: plan.baseImage, environment: request.environment }, ctx),
    );
    progress.package = installed;
    await steps.run('teardown', () => this.unwindOrThrow(steps, { reason: 'teardown', downTo: volumeMark }));
    const image = await steps.run('finalize', (ctx) =>
      this.finalizer.finalize({ volume, baseImage: plan.baseImage, package: installed, environment: request.environment }, ctx),
    );
    progress.image = image;
    const verify = this.settings.verify;
    if (verify) {
      const imageMark = steps.stack.mark();
      try {
        progress.verification = await steps.run('verify', async (ctx) => {
          const disk = await this.imageDisk(image, ctx);
          const verified = await verify.verifier.verify({ image, disk, package: installed, environment: request.environment }, ctx);
          await this.unwindOrThrow(steps, { reason: 'success', downTo: imageMark });
          return verified;
        });
      } catch (error) {
        if (!(verify.keepUnverified && isAminatorError(error) && error.code === ErrorCodes.VERIFY_FAILED)) throw error;
        // Kept on request: the image stays (success keeps what finalize made); the bake still fails.
        await this.unwindOrThrow(steps, { reason: 'success' });
        return { status: 'failed', plan, image, package: installed, error, cleanupErrors: [], kept: [], exitCode: error.exitCode };
      }
    }
    await steps.run('cleanup', () => this.unwindOrThrow(steps, { reason: 'success' }));
    return { status: 'succeeded', plan, image, package: installed, verification: progress.verification, cleanupErrors: [], kept: [], exitCode: EXIT_OK };
  }

  /**
   * The registered image, readable on this host: the cloud's own way when it has one, else a volume
   * made from the image and attached here — the same calls as the bake's first steps, each undone at
   * the end of the step.
   */
  private async imageDisk(image: ImageResult, ctx: StepContext): Promise<ImageDisk> {
    if (this.cloud.imageDisk) return this.cloud.imageDisk(image, ctx);
    const registered = await this.cloud.resolveBaseImage(image.id, ctx);
    const volume = await this.cloud.createVolume(registered, ctx);
    const device = await this.blockDevice.allocate(await this.cloud.devicesInUse(ctx), ctx);
    const attachment = await this.cloud.attachVolume(volume, device, ctx);
    return { path: await this.blockDevice.waitForNode(attachment, ctx), bootModes: registered.bootModes ?? [] };
  }

  private async plan(request: BakeRequest, ctx: PlanContext): Promise<{ plan: BakePlan; lines: string[] }> {
    const spec = this.provisioner.parseSpec(request.packageSpec);
    const baseImage = await this.cloud.resolveBaseImage(request.baseImageRef, ctx);
    const plan: BakePlan = { environment: request.environment, spec, baseImage };
    await Promise.all(this.plugins().map((plugin) => plugin.preflight?.(plan, ctx)));
    const lines = this.plugins().flatMap((plugin) => [...(plugin.describePlan?.(plan) ?? [])]);
    return { plan, lines };
  }

  private async fail(
    error: unknown,
    preserve: boolean,
    steps: StepRunner,
    progress: Progress,
    signal: AbortSignal,
  ): Promise<Omit<BakeOutcome, 'steps' | 'durationMs' | 'runId'>> {
    const interrupted = signal.aborted;
    const report = await this.unwind(steps, { reason: interrupted ? 'interrupted' : 'failure', preserve });
    const first = error;
    const rest = [...(this.unreported.get(steps) ?? []), ...report.errors.filter((e) => e !== error)];
    return {
      status: interrupted ? 'interrupted' : 'failed',
      plan: progress.plan,
      image: progress.image,
      package: progress.package,
      error: first,
      cleanupErrors: rest,
      kept: report.kept,
      exitCode: interrupted ? EXIT_INTERRUPTED : exitCodeOf(first),
    };
  }

  /** Throws the first undo error; the others are kept for the run's result (none is dropped). */
  private async unwindOrThrow(steps: StepRunner, options: UnwindOptions): Promise<void> {
    const report = await this.unwind(steps, options);
    const [first, ...others] = report.errors;
    this.unreported.set(steps, [...(this.unreported.get(steps) ?? []), ...others]);
    if (first !== undefined) throw first;
  }

  private unwind(steps: StepRunner, options: UnwindOptions): Promise<UnwindReport> {
    return steps.stack.unwind({
      ...options,
      onUndo: ({ entry, status, durationMs, error }) => {
        const time = new Date().toISOString();
        const runId = steps.runId;
        this.events.emit({
          type: 'undo',
          time,
          runId,
          description: entry.description,
          status,
          durationMs,
          resource: entry.resource,
          error: error && summarizeError(error),
        });
        if (entry.resource) {
          const action = status === 'succeeded' ? 'released' : status === 'kept' ? 'kept' : 'release-failed';
          this.events.emit({ type: 'resource', time, runId, action, resource: entry.resource });
        }
      },
    });
  }

  private async report(outcome: BakeOutcome, kind: RunKind): Promise<void> {
    this.metrics.counter('aminator.bake.count', 1, { status: outcome.status });
    this.metrics.timer('aminator.bake.duration', outcome.durationMs, { status: outcome.status });
    try {
      await this.metrics.flush();
    } catch {
      // Losing a metric must never change how a bake ended.
    }
    this.events.emit({
      type: 'result',
      kind,
      exitCode: outcome.exitCode,
      time: new Date().toISOString(),
      runId: outcome.runId,
      status: outcome.status,
      image: outcome.image,
      package: outcome.package,
      durationMs: outcome.durationMs,
      steps: outcome.steps,
      error: outcome.error === undefined ? undefined : summarizeError(outcome.error),
      verification: outcome.verification,
      log: keepsRunLog(outcome) ? this.settings.runLog : undefined,
      kept: outcome.kept.length > 0 ? outcome.kept : undefined,
      cleanupErrors: outcome.cleanupErrors.length > 0 ? outcome.cleanupErrors.map(summarizeError) : undefined,
      plan: outcome.status === 'planned' ? { spec: outcome.plan?.spec, baseImage: outcome.plan?.baseImage, lines: outcome.planLines ?? [] } : undefined,
    });
  }

  private plugins(): BakePlugin[] {
    return [
      this.cloud,
      this.blockDevice,
      this.volumes,
      this.os,
      this.provisioner,
      this.finalizer,
      ...(this.settings.verify ? [this.settings.verify.verifier] : []),
    ];
  }
}

function exitCodeOf(error: unknown): number {
  return isAminatorError(error) ? error.exitCode : 1;
}
