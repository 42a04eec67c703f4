/** Flags of `aminate bake` itself; a plugin option may not take these names. */
export const RESERVED_FLAGS: readonly string[] = [
  'help',
  'version',
  'debug',
  'json',
  'config',
  'environment',
  'dry-run',
  'preserve-on-error',
  'base-image',
  'work-root',
  'lock-dir',
  'verify',
  'keep-unverified',
];
