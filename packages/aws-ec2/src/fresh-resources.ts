import { AminatorError } from '@aminator/core';
import { Ec2ErrorCodes, isEc2Code } from './ec2-errors.js';
import { waitFor } from './ec2-wait.js';

/** What EC2 answers for an id it does not show (yet), per resource kind; EBS direct says ResourceNotFoundException. */
export const NOT_FOUND_CODES = ['InvalidVolume.NotFound', 'InvalidSnapshot.NotFound', 'InvalidAMIID.NotFound', 'ResourceNotFoundException'] as const;

/** AWS documents seconds, occasionally more; a minute covers what users report without hiding real loss for long. */
export const DEFAULT_CONSISTENCY_WINDOW_MS = 60_000;

export function isNotFound(error: unknown): boolean {
  return isEc2Code(error, ...NOT_FOUND_CODES);
}

/**
 * EC2 is eventually consistent: right after a create, a call naming the new id can answer NotFound
 * (and a filtered Describe can leave it out) for a while. This is the one rule for that: for
 * `windowMs` after this bake created an id, NotFound for it means "not visible yet" and the call is
 * tried again; after the window, or for ids the bake did not create (a base image that really is
 * gone), NotFound is what it says.
 */
export class FreshResources {
  private readonly createdAt = new Map<string, number>();

  constructor(readonly windowMs: number = DEFAULT_CONSISTENCY_WINDOW_MS) {}

  /** This bake just created `id` (call as soon as the create call returns); or another did, at `at`. */
  created(id: string, at = Date.now()): void {
    if (id) this.createdAt.set(id, at);
  }

  /** True while NotFound for `id` may only mean that EC2 does not show it yet. */
  mayBeHidden(id: string): boolean {
    const at = this.createdAt.get(id);
    return at !== undefined && Date.now() - at < this.windowMs;
  }

  /** The one rule: this failure is EC2 not showing a fresh id yet. */
  private hides(id: string, error: unknown): boolean {
    return isNotFound(error) && this.mayBeHidden(id);
  }

  /**
   * Run `call`, trying again while it fails with NotFound for the fresh `id`, on the waits' schedule
   * (a change is seen within a second). Without a signal (cleanup) it is never cut short.
   */
  async call<T>(id: string, call: () => Promise<T>, signal: AbortSignal = new AbortController().signal): Promise<T> {
    const attempt = async (): Promise<{ value: T } | undefined> => {
      try {
        return { value: await call() };
      } catch (error) {
        if (this.hides(id, error)) return undefined;
        if (isNotFound(error) && this.createdAt.has(id)) throw windowRanOut(id, this.windowMs, error);
        throw error;
      }
    };
    const first = await attempt();
    if (first) return first.value;
    // The window bounds the wait: once it has passed, attempt() throws the NotFound itself.
    const { value } = await waitFor(attempt, { what: `${id} to become visible`, timeoutMs: this.windowMs + 60_000, signal });
    return value;
  }

  /**
   * One look inside a wait: `describe` returns the resource, or undefined when EC2 listed nothing.
   * For a fresh id, NotFound or nothing means "not yet" (undefined: keep waiting); otherwise
   * nothing is an error made by `gone`.
   */
  async look<T>(id: string, describe: () => Promise<T | undefined>, gone: () => AminatorError): Promise<T | undefined> {
    let found: T | undefined;
    try {
      found = await describe();
    } catch (error) {
      if (this.hides(id, error)) return undefined;
      throw error;
    }
    if (found === undefined && !this.mayBeHidden(id)) throw gone();
    return found;
  }
}

/** An empty Describe answer as the error EC2 gives for the id, so one NotFound rule serves both. */
export function notFoundError(code: (typeof NOT_FOUND_CODES)[number], id: string): Error {
  return Object.assign(new Error(`${id} was not found`), { name: code });
}

/** A resource this bake created that EC2 still did not show when the consistency window ran out: a later try may see it. */
function windowRanOut(id: string, windowMs: number, cause: unknown): AminatorError {
  return new AminatorError(`${id}, created by this bake, was still not visible to EC2 after ${Math.round(windowMs / 1000)} s`, {
    code: Ec2ErrorCodes.API,
    cause,
    retryable: true,
    suggestions: ['EC2 is slower than usual to show new resources: run the bake again, or raise cloud.ec2.consistencyWindowMs'],
  });
}
