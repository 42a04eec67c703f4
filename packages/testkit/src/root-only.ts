/**
 * `describe(name, ROOT_ONLY, …)`: tests that need root (loop devices, mounts, chroots, device nodes)
 * are skipped, saying why, when the tests run as another user — `npm test -w <package>` still runs
 * everything else.
 */
export const ROOT_ONLY: { readonly skip?: string } =
  process.getuid === undefined || process.getuid() === 0 ? {} : { skip: 'needs root (loop devices, mounts, chroots): run the tests as root' };
