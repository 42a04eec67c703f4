import { AminatorError } from '../errors/aminator-error.js';
import { ErrorCodes } from '../errors/error-codes.js';
import { UsageError } from '../errors/usage-error.js';
import { RUN_STEPS } from './bake-steps.js';

export const FAILPOINT_ACTIONS = ['error', 'sigint', 'sigterm', 'sighup', 'sigkill'] as const;
export type FailpointAction = (typeof FAILPOINT_ACTIONS)[number];

export interface Failpoint {
  /** A step of the run: a bake's (`attach-volume`) or a plugin command's (`install` of `aminate foundation`). */
  readonly step: string;
  readonly action: FailpointAction;
}

/** The environment variable tests set to make a step fail: `attach-volume:error,provision:sigterm`. */
export const FAILPOINTS_ENV = 'AMINATOR_FAILPOINTS';

/**
 * Parse `AMINATOR_FAILPOINTS` for a run whose steps are `steps` (a bake's, `verify`'s and `boot`'s by
 * default; a plugin command's own); an unknown step or action is a usage error, never ignored.
 */
export function parseFailpoints(text: string | undefined, steps: readonly string[] = RUN_STEPS): Failpoint[] {
  if (!text || text.trim() === '') return [];
  return text.split(',').map((item) => {
    const [step = '', action = ''] = item.trim().split(':');
    if (!steps.includes(step)) {
      throw new UsageError(`${FAILPOINTS_ENV}: unknown step "${step}"`, { suggestions: [`steps: ${steps.join(', ')}`] });
    }
    if (!(FAILPOINT_ACTIONS as readonly string[]).includes(action)) {
      throw new UsageError(`${FAILPOINTS_ENV}: unknown action "${action}" for step ${step}`, { suggestions: [`actions: ${FAILPOINT_ACTIONS.join(', ')}`] });
    }
    return { step, action: action as FailpointAction };
  });
}

const SIGNAL_DELIVERY_WAIT_MS = 5000;

/**
 * Fire the failpoint set for `step`, if any: throw, or signal this process as an operator would and
 * wait (briefly) until the signal handler has aborted the run, so the signal lands inside the step.
 */
export async function triggerFailpoint(failpoints: readonly Failpoint[], step: string, signal: AbortSignal): Promise<void> {
  const failpoint = failpoints.find((f) => f.step === step);
  if (!failpoint) return;
  if (failpoint.action === 'error') {
    throw new AminatorError(`failpoint: injected error at step ${step}`, { code: ErrorCodes.FAILPOINT });
  }
  process.kill(process.pid, failpoint.action.toUpperCase() as NodeJS.Signals);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, SIGNAL_DELIVERY_WAIT_MS);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
