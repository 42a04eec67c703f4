import { AminatorError } from '@aminator/core';

/** Stable codes of the EC2 plugins. */
export const Ec2ErrorCodes = {
  API: 'E_EC2_API',
  BASE_IMAGE_NOT_FOUND: 'E_BASE_IMAGE_NOT_FOUND',
  OWNER_REQUIRED: 'E_OWNER_REQUIRED',
  NO_INSTANCE: 'E_NO_INSTANCE_IDENTITY',
  NO_REGION: 'E_NO_REGION',
  VOLUME_FAILED: 'E_VOLUME_FAILED',
  SNAPSHOT_FAILED: 'E_SNAPSHOT_FAILED',
  IMAGE_FAILED: 'E_IMAGE_FAILED',
  IMAGE_EXISTS: 'E_IMAGE_EXISTS',
  NO_FREE_DEVICE: 'E_NO_FREE_DEVICE',
  LEASE_LOST: 'E_LEASE_LOST',
} as const;

const HINTS: Readonly<Record<string, string>> = {
  RequestLimitExceeded: "EC2 throttled the account past the SDK's retries: run fewer bakes at once, or raise cloud.ec2.maxAttempts",
  InsufficientVolumeCapacity: 'the availability zone has no capacity for this volume type now: retry later or pick another --volume-type',
  UnauthorizedOperation: 'the credentials lack this EC2 permission: see the IAM policy in the README of the cloud plugin in use',
  AuthFailure: 'the credentials were refused: check AWS_PROFILE / the instance role',
  InvalidVolumeZoneMismatch: 'the volume and this instance are in different availability zones: check cloud.ec2.availabilityZone',
};

/**
 * EC2 and EBS answers that a later try may not get: throttling past the SDK's retries, capacity, the
 * service's own errors. A missing image or a permission denied is not among them.
 */
export const RETRYABLE_EC2_CODES: readonly string[] = [
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'RequestThrottledException',
  'InsufficientVolumeCapacity',
  'InsufficientInstanceCapacity',
  'InternalError',
  'InternalFailure',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
];

/** An SDK error as an aminate error: the EC2 code and message kept, a suggestion where one is known, retryable as the code says. */
export function ec2Error(what: string, error: unknown): AminatorError {
  if (error instanceof AminatorError) return error;
  const code = (error as { name?: string; Code?: string })?.Code ?? (error as { name?: string })?.name ?? 'Error';
  const message = (error as Error)?.message ?? String(error);
  const hint = HINTS[code.replace('.', '')] ?? HINTS[code];
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? 0;
  return new AminatorError(`${what} failed: ${code}: ${message}`, {
    code: Ec2ErrorCodes.API,
    cause: error,
    retryable: RETRYABLE_EC2_CODES.includes(code) || status >= 500,
    suggestions: hint ? [hint] : ['run again with --debug for the request that failed'],
  });
}

/** Run one EC2 call, turning its failure into an aminate error naming what was being done. */
export async function ec2Call<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw ec2Error(what, error);
  }
}

export function isEc2Code(error: unknown, ...codes: string[]): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const name = (current as { name?: string; Code?: string }).Code ?? (current as { name?: string }).name;
    if (name && codes.includes(name)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
