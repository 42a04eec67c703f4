import { imageNamingShape, z } from '@aminator/core';

/** Config section `finalizer.local`: naming and tags only, as every finalizer has them. */
export const finalizerConfigSchema = z.object(imageNamingShape).strict();

export type FinalizerConfig = z.infer<typeof finalizerConfigSchema>;
