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
  'cleanup',
] as const;

export type BakeStep = (typeof BAKE_STEPS)[number];

export function isBakeStep(value: string): value is BakeStep {
  return (BAKE_STEPS as readonly string[]).includes(value);
}
