import { z } from '@aminator/core';
import { linuxChrootConfigShape } from '@aminator/linux-host';

/** Config section `os.debian`. */
export const debianConfigSchema = z.object({ ...linuxChrootConfigShape }).strict();

export type DebianConfig = z.infer<typeof debianConfigSchema>;
