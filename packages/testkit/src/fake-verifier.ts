import {
  type InteractiveBootInput,
  type StepContext,
  VerificationError,
  type VerificationResult,
  type Verifier,
  type VerifyInput,
} from '@aminator/core/internal';
import { beforeStep, maybeFail } from './fake-step.js';
import type { FakeWorld } from './fake-world.js';

/**
 * Records what it was asked to verify, and whether the image disk was held meanwhile (when it shares
 * the FakeWorld of the cloud, as in runFakeBake); with `failAt: 'verify'` the image fails verification.
 */
export class FakeVerifier implements Verifier {
  readonly verified: Array<{ readonly input: VerifyInput; readonly diskHeld: boolean }> = [];
  readonly booted: Array<{ readonly input: InteractiveBootInput; readonly diskHeld: boolean }> = [];

  constructor(private readonly world: FakeWorld) {}

  describePlan(): readonly string[] {
    return ['verifier fake: the image disk is named and has a boot loader'];
  }

  async verify(input: VerifyInput, ctx: StepContext): Promise<VerificationResult> {
    await beforeStep(this.world, 'verify', ctx.signal);
    this.verified.push({ input, diskHeld: this.world.isHeld('image-disk', input.disk.path) });
    const failing = this.world.behaviour.failAt === 'verify';
    const checks = [
      { name: 'the image disk is named', ok: input.disk.path.length > 0 },
      { name: 'the image has a boot loader', ok: input.disk.bootModes.length > 0 },
      { name: 'the image boots', ok: !failing, detail: failing ? 'failAt=verify' : undefined },
    ];
    if (checks.some((c) => !c.ok)) throw new VerificationError(checks, undefined, 'fake serial log: kernel panic');
    return { checks };
  }

  /** As `aminate boot` asks: records the forwards; `failAt: 'boot'` fails it, `hangAt: 'boot'` waits for the abort. */
  async bootInteractive(input: InteractiveBootInput, ctx: StepContext): Promise<void> {
    await beforeStep(this.world, 'boot', ctx.signal);
    this.booted.push({ input, diskHeld: this.world.isHeld('image-disk', input.disk.path) });
    ctx.log.info(`fake boot of ${input.image.id}, forwards ${input.forwards.map((f) => `${f.hostPort}:${f.guestPort}`).join(' ') || 'none'}`);
    maybeFail(this.world, 'boot');
  }
}
