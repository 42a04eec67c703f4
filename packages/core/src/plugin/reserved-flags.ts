/** Flags of aminate itself (global, bake, verify, boot); a plugin option may not take these names. core-bin's tests check every flag its commands define is here. */
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
  'forward',
];
