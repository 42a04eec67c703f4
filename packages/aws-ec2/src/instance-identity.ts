import { AminatorError, EXIT_USAGE } from '@aminator/core';
import { Ec2ErrorCodes } from './ec2-errors.js';
import type { Ec2SessionConfig } from './session-config.js';

export interface InstanceIdentity {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly region: string;
}

/**
 * This host as an EC2 instance: from config when given (hosts that are not instances), else from
 * IMDSv2 (token first; IMDSv1 is never used).
 */
export async function instanceIdentity(config: Pick<Ec2SessionConfig, 'instanceId' | 'availabilityZone' | 'region'>): Promise<InstanceIdentity> {
  if (config.instanceId && config.availabilityZone) {
    return { instanceId: config.instanceId, availabilityZone: config.availabilityZone, region: config.region ?? config.availabilityZone.slice(0, -1) };
  }
  try {
    const { MetadataService } = await import('@aws-sdk/ec2-metadata-service');
    const imds = new MetadataService({ ec2MetadataV1Disabled: true, httpOptions: { timeout: 2_000 }, retries: 1 });
    const [instanceId, availabilityZone, region] = await Promise.all(
      ['instance-id', 'placement/availability-zone', 'placement/region'].map(async (path) => (await imds.request(`/latest/meta-data/${path}`, {})).trim()),
    );
    return {
      instanceId: config.instanceId ?? (instanceId as string),
      availabilityZone: config.availabilityZone ?? (availabilityZone as string),
      region: config.region ?? (region as string),
    };
  } catch (cause) {
    throw new AminatorError('cannot tell which EC2 instance this is: the instance metadata service (IMDSv2) did not answer', {
      code: Ec2ErrorCodes.NO_INSTANCE,
      exitCode: EXIT_USAGE,
      cause,
      suggestions: ['run aminate on the EC2 instance that will attach the volume', 'or set cloud.ec2.instanceId and cloud.ec2.availabilityZone in config'],
    });
  }
}
