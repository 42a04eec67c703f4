import { DeleteSnapshotCommand, DeregisterImageCommand, DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { isEc2Code, persistently } from '@aminator/cloud-ec2';

/**
 * Deregister an image this bake made (cleanup: no abort signal). With `withSnapshots` (copies, whose
 * snapshots CopyImage made) its EBS snapshots go too; the home image's other mappings point at the
 * base image's snapshots, which are never ours to delete.
 */
export async function removeImage(client: EC2Client, id: string, withSnapshots: boolean): Promise<void> {
  let snapshots: string[] = [];
  try {
    const { Images = [] } = await persistently(() => client.send(new DescribeImagesCommand({ ImageIds: [id] })));
    snapshots = (Images[0]?.BlockDeviceMappings ?? []).map((m) => m.Ebs?.SnapshotId ?? '').filter(Boolean);
    await persistently(() => client.send(new DeregisterImageCommand({ ImageId: id })));
  } catch (error) {
    if (!isEc2Code(error, 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable')) throw error;
  }
  if (withSnapshots) for (const snapshot of snapshots) await deleteSnapshot(client, snapshot);
}

export async function deleteSnapshot(client: EC2Client, id: string): Promise<void> {
  try {
    await persistently(() => client.send(new DeleteSnapshotCommand({ SnapshotId: id })));
  } catch (error) {
    if (!isEc2Code(error, 'InvalidSnapshot.NotFound')) throw error;
  }
}
