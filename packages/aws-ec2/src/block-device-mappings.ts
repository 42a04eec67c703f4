import type { BlockDeviceMapping, Image } from '@aws-sdk/client-ec2';

/**
 * The new image's mappings: the base image's, with the root pointing at the new snapshot and sized
 * as the working volume. Encryption flags go (EC2 refuses them next to a snapshot id: the snapshot
 * carries its encryption), and so do Outpost ARNs.
 */
export function imageMappings(base: Image, snapshotId: string, sizeGiB: number): BlockDeviceMapping[] {
  const rootName = base.RootDeviceName;
  return (base.BlockDeviceMappings ?? []).map((mapping) => {
    if (!mapping.Ebs) return { DeviceName: mapping.DeviceName, VirtualName: mapping.VirtualName, NoDevice: mapping.NoDevice };
    const { Encrypted: _encrypted, KmsKeyId: _key, OutpostArn: _outpost, ...ebs } = mapping.Ebs;
    if (mapping.DeviceName !== rootName) return { DeviceName: mapping.DeviceName, Ebs: ebs };
    return {
      DeviceName: rootName,
      Ebs: { ...ebs, SnapshotId: snapshotId, VolumeSize: sizeGiB, DeleteOnTermination: true, VolumeType: ebs.VolumeType ?? 'gp3' },
    };
  });
}
