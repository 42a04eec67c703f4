import { retryUntil } from '@aminator/core';
import { isEc2Code } from './ec2-errors.js';

const THROTTLED = ['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottledException'];

/**
 * Cleanup must not give up on throttling the SDK's retries ran out on: a few more rounds with a
 * growing pause. It runs after a signal too, so it takes no abort signal.
 */
export function persistently<T>(call: () => Promise<T>, rounds = 4): Promise<T> {
  return retryUntil(call, { retryable: (error) => isEc2Code(error, ...THROTTLED), tries: rounds, firstDelayMs: 1_000 });
}

/**
 * Options for a call that creates something (CreateVolume, AttachVolume, CreateSnapshot,
 * RegisterImage, CopyImage): an abort stops it before it is sent, never in flight — aborted
 * mid-request, EC2 may have made the thing and the bake would never learn its id to undo it.
 */
export function unlessAbortedBefore(signal: AbortSignal): Record<string, never> {
  if (signal.aborted) throw signal.reason;
  return {};
}
