import { amiConfigShape } from '@aminator/aws-ec2';
import { z } from '@aminator/core';

/** Config section `finalizer.ebs`: the AMI keys every EC2 finalizer has (snapshotTimeoutMs bounds CreateSnapshot's wait). */
export const ebsConfigSchema = z.object(amiConfigShape).strict();

export type EbsConfig = z.infer<typeof ebsConfigSchema>;
