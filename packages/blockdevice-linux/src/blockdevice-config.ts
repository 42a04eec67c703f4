import { z } from '@aminator/core';

const devicePath = z.string().regex(/^\/dev\/[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*$/, 'a device path under /dev, without ".."');

/** Config section `blockdevice.linux`. */
export const blockDeviceConfigSchema = z
  .object({
    /** Use this device verbatim instead of allocating one (`--block-device`). */
    device: devicePath.optional(),
    /** Device name prefix asked of the cloud: `/dev/sdf` or `/dev/xvdf`. */
    prefix: z.enum(['sd', 'xvd']).default('sd'),
    /** Letters tried in order; each is one slot shared by its sd and xvd names. */
    letters: z
      .string()
      .regex(/^[a-z]{1,26}$/)
      .default('fghijklmnop'),
    /** Where device nodes appear (tests point this at a scratch directory). */
    devRoot: z
      .string()
      .regex(/^\/[^\0]*$/)
      .default('/dev'),
    /** Where udev links NVMe EBS volumes by serial (the volume id). */
    byIdDir: z
      .string()
      .regex(/^\/[^\0]*$/)
      .default('/dev/disk/by-id'),
    /** How long to wait for the node of an attached volume. */
    nodeTimeoutMs: z.number().int().positive().max(3_600_000).default(120_000),
  })
  .strict();

export type BlockDeviceConfig = z.infer<typeof blockDeviceConfigSchema>;
