/** Process exit codes of `aminate`. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** A failure that may pass if the same run is tried again later (sysexits.h EX_TEMPFAIL, which schedulers know). */
export const EXIT_RETRY = 75;
export const EXIT_INTERRUPTED = 130;
export type ExitCode = typeof EXIT_OK | typeof EXIT_FAILED | typeof EXIT_USAGE | typeof EXIT_RETRY | typeof EXIT_INTERRUPTED;
