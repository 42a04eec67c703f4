import { DeleteSnapshotCommand, DeregisterImageCommand, DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { persistently } from './cleanup-calls.js';
import { isEc2Code } from './ec2-errors.js';
import { type FreshResources, notFoundError } from './fresh-resources.js';

/**
 * Deregister an image this bake made (cleanup: no abort signal). With `withSnapshots` (copies, whose
 * snapshots CopyImage made) its EBS snapshots go too; the home image's other mappings point at the
 * base image's snapshots, which are never ours to delete. An image this bake just made may not be
 * visible yet: NotFound is tried again while it is fresh, so the delete is never skipped for that.
 */
export async function removeImage(client: EC2Client, id: string, withSnapshots: boolean, fresh?: FreshResources): Promise<void> {
  let snapshots: string[] = [];
  const retrying = <T>(call: () => Promise<T>): Promise<T> => (fresh ? fresh.call(id, call) : call());
  try {
    const image = await retrying(() =>
      persistently(
        async () =>
          (await client.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.[0] ?? Promise.reject(notFoundError('InvalidAMIID.NotFound', id)),
      ),
    );
    snapshots = (image.BlockDeviceMappings ?? []).map((m) => m.Ebs?.SnapshotId ?? '').filter(Boolean);
    await retrying(() => persistently(() => client.send(new DeregisterImageCommand({ ImageId: id }))));
  } catch (error) {
    if (!isEc2Code(error, 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable')) throw error;
  }
  if (withSnapshots) for (const snapshot of snapshots) await deleteSnapshot(client, snapshot, fresh);
}

export async function deleteSnapshot(client: EC2Client, id: string, fresh?: FreshResources): Promise<void> {
  const call = (): Promise<unknown> => persistently(() => client.send(new DeleteSnapshotCommand({ SnapshotId: id })));
  try {
    await (fresh ? fresh.call(id, call) : call());
  } catch (error) {
    if (!isEc2Code(error, 'InvalidSnapshot.NotFound')) throw error;
  }
}
