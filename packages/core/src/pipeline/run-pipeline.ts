// Decorated classes need the Reflect metadata API before tsyringe loads, whichever entry imports them.
import { inject, injectable } from '../di/dependency-injection.js';
import { AminatorError, isAminatorError } from '../errors/aminator-error.js';
import { ErrorCodes } from '../errors/error-codes.js';
import { EXIT_OK } from '../errors/exit-codes.js';
import { UsageError } from '../errors/usage-error.js';
import type { BakePlan } from '../interfaces/bake-plan.js';
import type { BakePlugin } from '../interfaces/bake-plugin.js';
import type { ImageResult, PreparedChroot } from '../interfaces/bake-types.js';
import type { Cloud } from '../interfaces/cloud.js';
import type { Finalizer } from '../interfaces/finalizer.js';
import type { LockManager } from '../interfaces/lock-manager.js';
import type { Metrics } from '../interfaces/metrics.js';
import type { OperatingSystem } from '../interfaces/operating-system.js';
import type { BakeInventory, PackageInventory } from '../interfaces/package-inventory.js';
import type { PlanContext } from '../interfaces/plan-context.js';
import type { Provisioner } from '../interfaces/provisioner.js';
import type { EventSink, RunKind } from '../interfaces/run-events.js';
import type { StepContext } from '../interfaces/step-context.js';
import type { ImageDisk, VerificationResult, Verifier } from '../interfaces/verifier.js';
import type { VolumeManager } from '../interfaces/volume.js';
import { newRunId } from '../reclaim/run-id.js';
import { BAKE_SETTINGS, CLOUD, EVENT_SINK, FINALIZER, LOCK_MANAGER, METRICS, OS, PROVISIONER, VOLUME } from '../tokens.js';
import type { BakeRequest, BootRequest, VerifyRequest } from './bake-request.js';
import type { BakeSettings } from './bake-settings.js';
import { BOOT_IMAGE_STEPS, bakeSteps, type RunStep, VERIFY_IMAGE_STEPS } from './bake-steps.js';
import { inventoryOrReason } from './inventory-or-reason.js';
import type { RunOutcome } from './run-outcome.js';
import { type RunEnd, type RunSpec, StepRun } from './step-run.js';

/**
 * The bake: plan, then acquire (volume, attachment, mount, chroot), install, tear down,
 * finalize, clean up. Every acquisition is on the cleanup stack before the next step starts; any
 * failure or interruption unwinds it.
 */
@injectable()
export class RunPipeline {
  constructor(
    @inject(CLOUD) private readonly cloud: Cloud,
    @inject(VOLUME) private readonly volumes: VolumeManager,
    @inject(OS) private readonly os: OperatingSystem,
    @inject(PROVISIONER) private readonly provisioner: Provisioner,
    @inject(FINALIZER) private readonly finalizer: Finalizer,
    @inject(METRICS) private readonly metrics: Metrics,
    @inject(EVENT_SINK) private readonly events: EventSink,
    @inject(BAKE_SETTINGS) private readonly settings: BakeSettings,
    @inject(LOCK_MANAGER) private readonly locks: LockManager,
  ) {}

  async run(request: BakeRequest, signal: AbortSignal): Promise<RunOutcome> {
    const steps = request.dryRun ? ['plan' as const] : bakeSteps({ verify: this.settings.verify !== undefined });
    return this.runSteps(
      { kind: 'bake', environment: request.environment, package: request.packageSpec, steps, dryRun: request.dryRun, preserveOnError: request.preserveOnError },
      signal,
      (run) => this.bake(request, run),
    );
  }

  /**
   * `aminate verify`: the environment's verifier on an image that exists already — the same run
   * frame as a bake (events, run lock, work directory, cleanup), but nothing is made, and a failed
   * verification removes nothing.
   */
  async verifyImage(request: VerifyRequest, signal: AbortSignal): Promise<RunOutcome> {
    return this.onExistingImage(request, 'verify', VERIFY_IMAGE_STEPS, signal, async (verifier, image, disk, ctx) =>
      verifier.verify({ image, disk, environment: request.environment }, ctx),
    );
  }

  /** `aminate boot`: the verifier boots a copy of an existing image for a person, in the same run frame. */
  async bootImage(request: BootRequest, signal: AbortSignal): Promise<RunOutcome> {
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
  ): Promise<RunOutcome> {
    const verifier = this.settings.verify?.verifier;
    if (!verifier) throw new AminatorError('an image run needs a verifier in the bake settings', { code: ErrorCodes.INTERNAL });
    const steps = request.dryRun ? ['plan' as const] : stepNames;
    const [, workStep = 'verify'] = stepNames;
    return this.runSteps(
      { kind, environment: request.environment, package: '', image: request.imageRef, steps, dryRun: request.dryRun, preserveOnError: request.preserveOnError },
      signal,
      async (run) => {
        const { progress } = run;
        const { registered, lines } = await run.step('plan', async (ctx) => {
          const found = await this.cloud.resolveBaseImage(request.imageRef, ctx);
          await verifier.preflight?.(undefined, ctx);
          return { registered: found, lines: [`image: ${found.name} (${found.id})`, ...verifier.describePlan(undefined)] };
        });
        const image: ImageResult = { id: registered.id, name: registered.name, cloud: request.cloud, region: registered.location ?? '', tags: registered.tags };
        progress.image = image;
        progress.planLines = lines;
        if (request.dryRun) return { status: 'planned', image, planLines: lines, cleanupErrors: [], kept: [], exitCode: EXIT_OK };
        progress.verification = await run.step(workStep, async (ctx) => {
          await run.frame(ctx);
          return work(verifier, image, await this.imageDisk(image, ctx), ctx);
        });
        await run.cleanup();
        return { status: 'succeeded', image, verification: progress.verification, cleanupErrors: [], kept: [], exitCode: EXIT_OK };
      },
    );
  }

  private runSteps(spec: RunSpec, signal: AbortSignal, body: (run: StepRun) => Promise<RunEnd>): Promise<RunOutcome> {
    const { settings } = this;
    return StepRun.execute(
      {
        runId: settings.runId ?? newRunId(),
        signal,
        events: this.events,
        metrics: this.metrics,
        locks: this.locks,
        workRoot: settings.workRoot,
        abortGraceMs: settings.abortGraceMs,
        failpoints: settings.failpoints,
        runLog: settings.runLog,
        plugins: settings.plugins,
      },
      spec,
      body,
    );
  }

  private async bake(request: BakeRequest, run: StepRun): Promise<RunEnd> {
    const { progress } = run;
    const { plan, lines } = await run.step('plan', (ctx) => this.plan(request, ctx));
    progress.plan = plan;
    progress.planLines = lines;
    if (request.dryRun) return { status: 'planned', plan, planLines: lines, cleanupErrors: [], kept: [], exitCode: EXIT_OK };

    const volume = await run.step('create-volume', async (ctx) => {
      await run.frame(ctx);
      return this.cloud.createVolume(plan.baseImage, ctx);
    });
    const volumeMark = run.mark();
    const attachment = await run.step('attach-volume', (ctx) => this.cloud.attachVolume(volume, ctx));
    const mounted = await run.step('mount-volume', (ctx) => this.volumes.mount(attachment.device, ctx));
    const chroot = await run.step('prepare-chroot', (ctx) => this.os.prepareChroot(mounted, ctx));
    const { installed, inventory } = await run.step('provision', async (ctx) => {
      const base = await this.inventory(chroot, ctx);
      const installed = await this.provisioner.provision({ chroot, spec: plan.spec, baseImage: plan.baseImage, environment: request.environment }, ctx);
      return { installed, inventory: typeof base === 'string' ? base : bothOrReason(base, await this.inventory(chroot, ctx)) };
    });
    progress.package = installed;
    await run.step('teardown', () => run.release(volumeMark));
    const image = await run.step('finalize', (ctx) =>
      this.finalizer.finalize({ volume, baseImage: plan.baseImage, package: installed, environment: request.environment, inventory }, ctx),
    );
    progress.image = image;
    const verify = this.settings.verify;
    if (verify) {
      const imageMark = run.mark();
      try {
        progress.verification = await run.step('verify', async (ctx) => {
          const disk = await this.imageDisk(image, ctx);
          const verified = await verify.verifier.verify({ image, disk, package: installed, environment: request.environment }, ctx);
          await run.release(imageMark);
          return verified;
        });
      } catch (error) {
        if (!(verify.keepUnverified && isAminatorError(error) && error.code === ErrorCodes.VERIFY_FAILED)) throw error;
        // Kept on request: the image stays (success keeps what finalize made); the bake still fails.
        await run.release(0);
        return { status: 'failed', plan, image, package: installed, error, cleanupErrors: [], kept: [], exitCode: error.exitCode };
      }
    }
    await run.cleanup();
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
    const attachment = await this.cloud.attachVolume(volume, ctx);
    return { path: attachment.device, bootModes: registered.bootModes ?? [], architecture: registered.architecture };
  }

  private async inventory(chroot: PreparedChroot, ctx: StepContext): Promise<PackageInventory | string | undefined> {
    const read = this.provisioner.inventory?.bind(this.provisioner);
    return read ? inventoryOrReason(() => read(chroot, ctx), ctx.log) : undefined;
  }

  private async plan(request: BakeRequest, ctx: PlanContext): Promise<{ plan: BakePlan; lines: string[] }> {
    const spec = this.provisioner.parseSpec(request.packageSpec);
    const baseImage = await this.cloud.resolveBaseImage(request.baseImageRef, ctx);
    const plan: BakePlan = { environment: request.environment, spec, baseImage };
    await Promise.all(this.plugins().map((plugin) => plugin.preflight?.(plan, ctx)));
    const lines = this.plugins().flatMap((plugin) => [...(plugin.describePlan?.(plan) ?? [])]);
    return { plan, lines };
  }

  private plugins(): BakePlugin[] {
    return [this.cloud, this.volumes, this.os, this.provisioner, this.finalizer, ...(this.settings.verify ? [this.settings.verify.verifier] : [])];
  }
}

function bothOrReason(base: PackageInventory | undefined, image: PackageInventory | string | undefined): BakeInventory | string | undefined {
  if (base === undefined || image === undefined) return undefined;
  return typeof image === 'string' ? image : { base, image };
}
