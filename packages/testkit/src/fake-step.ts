import { AminatorError, type StepContext, sleep } from '@aminator/core/internal';
import type { FakeWorld } from './fake-world.js';

/** Delay, hang or fail a fake method as the world's behaviour says. */
export async function beforeStep(world: FakeWorld, method: string, signal: AbortSignal): Promise<void> {
  const { delayMs, hangAt, ignoreAbortAt, ignoreAbortMs } = world.behaviour;
  if (delayMs) await sleep(delayMs, signal);
  if (ignoreAbortAt === method) await sleep(ignoreAbortMs ?? 1_000);
  if (hangAt === method) await sleep(24 * 3600 * 1000, signal);
}

/** Throw when the world says this method fails (called after the method acquired its resource). */
export function maybeFail(world: FakeWorld, method: string): void {
  if (world.behaviour.failAt === method) {
    throw new AminatorError(`fake failure in ${method}`, { code: 'E_FAKE_FAILURE', suggestions: ['this failure was injected by a test'] });
  }
}

/** When the world says so, stop the run from outside this method, later (a timer that outlives the step). */
export function maybeAbortRunLater(world: FakeWorld, method: string, ctx: StepContext): void {
  if (world.behaviour.abortRunFrom !== method) return;
  setTimeout(
    () => ctx.abortRun(new AminatorError(`fake: ${method} stopped the run`, { code: 'E_FAKE_STOP', retryable: true, suggestions: ['injected by a test'] })),
    world.behaviour.abortRunAfterMs ?? 20,
  );
}
