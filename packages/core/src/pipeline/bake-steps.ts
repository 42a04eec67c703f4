/**
 * The steps of a bake, in order. Names are stable: events, `--json` output, metrics and
 * `AMINATOR_FAILPOINTS` use them.
 */
export const BAKE_STEPS = [
  'plan',
  'create-volume',
  'allocate-device',
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

export function isBakeStep(value: string): value is BakeStep {
  return (BAKE_STEPS as readonly string[]).includes(value);
}
