import { z } from 'zod';

/**
 * A config key that meant something in an earlier release: present, it fails validation with why and
 * what to use instead, rather than as an unknown key.
 */
export function removedKey(message: string) {
  return z
    .unknown()
    .refine((value) => value === undefined, message)
    .optional();
}
