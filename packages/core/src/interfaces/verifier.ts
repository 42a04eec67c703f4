import type { BakePlan } from './bake-plan.js';
import type { BakePlugin } from './bake-plugin.js';
import type { ImageResult, InstalledPackage } from './bake-types.js';
import type { PlanContext } from './plan-context.js';
import type { StepContext } from './step-context.js';

/** The firmware an image boots under. */
export type BootMode = 'bios' | 'uefi';

/** A registered image as a block device or file on this host, readable for as long as the step runs. */
export interface ImageDisk {
  /** Raw disk: a block device or a file. Verifiers never write it (they boot a copy-on-write overlay). */
  readonly path: string;
  /** The modes the image says it boots in, preferred first; empty: it has no boot loader. */
  readonly bootModes: readonly BootMode[];
  /** The CPU architecture the image is for, as images carry it (`x86_64`, `arm64`); absent when its cloud does not say. */
  readonly architecture?: string;
}

export interface VerifyInput {
  readonly image: ImageResult;
  readonly disk: ImageDisk;
  /** What the bake installed; absent when `aminate verify` checks an image that exists already. */
  readonly package?: InstalledPackage;
  readonly environment: string;
}

/** A host port on 127.0.0.1 forwarded to a port of the booted image. */
export interface PortForward {
  readonly hostPort: number;
  readonly guestPort: number;
}

/** `aminate boot`: the image, booted for a person on this terminal. */
export interface InteractiveBootInput {
  readonly image: ImageResult;
  readonly disk: ImageDisk;
  readonly forwards: readonly PortForward[];
}

/** One check a verifier ran, for the result and the error. */
export interface VerificationCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface VerificationResult {
  readonly checks: readonly VerificationCheck[];
  /** Where the evidence is kept (a serial log), when there is a file to show. */
  readonly evidence?: string;
}

/**
 * kind `verifier` (optional): after `finalize`, prove the registered image works — boot it, look at
 * what runs. A failed verification throws; the bake then exits 1 and what finalize made is removed
 * unless `--keep-unverified`. Runs only when an environment names a verifier and `--verify` is given,
 * or on its own with `aminate verify IMAGE` (then a failure removes nothing).
 */
export interface Verifier extends BakePlugin {
  /** As every plugin's; `plan` is undefined when `aminate verify` checks an image that exists already. */
  preflight?(plan: BakePlan | undefined, ctx: PlanContext): Promise<void>;
  describePlan(plan: BakePlan | undefined): readonly string[];
  verify(input: VerifyInput, ctx: StepContext): Promise<VerificationResult>;
  /**
   * Optional: boot a throwaway copy of the image with its console on this terminal (stdin/stdout)
   * for a person to look around; resolve once the machine stops. The image is never written.
   */
  bootInteractive?(input: InteractiveBootInput, ctx: StepContext): Promise<void>;
}
