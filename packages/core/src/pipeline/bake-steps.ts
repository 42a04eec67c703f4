/**
 * The steps of a bake, in order. Names are stable: events, `--json` output, metrics and
 * `AMINATOR_FAILPOINTS` use them.
 */
export const BAKE_STEPS = [
  'plan',
  'create-volume',
  'attach-volume',
  'mount-volume',
  'prepare-chroot',
  'provision',
  'teardown',
  'finalize',
  'verify',
  'cleanup',
] as const;

/** Steps that run only when asked for (`verify`: `--verify` with an environment that names a verifier). */
export const OPTIONAL_BAKE_STEPS: readonly BakeStep[] = ['verify'];

/** The steps a bake takes, in order: the optional ones only when asked for. */
export function bakeSteps(options: { verify: boolean }): BakeStep[] {
  return BAKE_STEPS.filter((step) => options.verify || !OPTIONAL_BAKE_STEPS.includes(step));
}

export type BakeStep = (typeof BAKE_STEPS)[number];

/** Steps of runs that are not bakes: `aminate boot` boots an image for a person to look around. */
const OTHER_RUN_STEPS = ['boot'] as const;

/** A step of any run: a bake's, `aminate verify`'s or `aminate boot`'s. */
export type RunStep = BakeStep | (typeof OTHER_RUN_STEPS)[number];

export const RUN_STEPS: readonly RunStep[] = [...BAKE_STEPS, ...OTHER_RUN_STEPS];

/** The steps of `aminate verify` on an image that exists: nothing is made, so nothing is finalized. */
export const VERIFY_IMAGE_STEPS: readonly RunStep[] = ['plan', 'verify', 'cleanup'];

/** The steps of `aminate boot`. */
export const BOOT_IMAGE_STEPS: readonly RunStep[] = ['plan', 'boot', 'cleanup'];
