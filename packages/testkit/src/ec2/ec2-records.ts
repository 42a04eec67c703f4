/** What the test endpoint holds: volumes and snapshots are sparse files on this host. */

export interface VolumeAttachmentRecord {
  instanceId: string;
  device: string;
  state: 'attaching' | 'attached' | 'detaching';
  /** Loop devices (whole disk first) and the links made for them. */
  loops: string[];
  links: string[];
}

export interface VolumeRecord {
  id: string;
  region: string;
  availabilityZone: string;
  sizeGiB: number;
  state: 'creating' | 'available' | 'in-use' | 'deleting' | 'deleted' | 'error';
  snapshotId?: string;
  volumeType: string;
  iops?: number;
  throughput?: number;
  encrypted: boolean;
  kmsKeyId?: string;
  file: string;
  tags: Record<string, string>;
  createTime: string;
  attachment?: VolumeAttachmentRecord;
}

export interface SnapshotRecord {
  id: string;
  region: string;
  volumeId: string;
  sizeGiB: number;
  state: 'pending' | 'completed' | 'error';
  progress: number;
  file: string;
  ownerId: string;
  description: string;
  encrypted: boolean;
  kmsKeyId?: string;
  startTime: string;
  tags: Record<string, string>;
  /** Anyone may create volumes from it (createVolumePermission group all); EBS direct will not read it. */
  public?: boolean;
  /** EBS direct: the snapshot it was started from; its unwritten blocks read through to this one. */
  parentId?: string;
  /** EBS direct: a snapshot being written (StartSnapshot until CompleteSnapshot). */
  direct?: DirectWrite;
  /** Indexes of the 512 KiB blocks that hold data (worked out once the snapshot is complete). */
  blocks?: Set<number>;
}

export interface DirectWrite {
  /** Block index → SHA-256 (base64) of what was put. */
  readonly written: Map<number, string>;
  readonly clientToken?: string;
  /** When StartSnapshot's Timeout moves it to `error` if not completed. */
  readonly deadline: number;
}

export interface BlockDeviceMappingRecord {
  deviceName: string;
  virtualName?: string;
  ebs?: {
    snapshotId?: string;
    volumeSize?: number;
    deleteOnTermination?: boolean;
    volumeType?: string;
    encrypted?: boolean;
    iops?: number;
    throughput?: number;
    kmsKeyId?: string;
  };
}

export interface LaunchPermissionRecord {
  userId?: string;
  group?: string;
  organizationArn?: string;
  organizationalUnitArn?: string;
}

export interface ImageRecord {
  id: string;
  region: string;
  name: string;
  description: string;
  ownerId: string;
  ownerAlias?: string;
  state: 'pending' | 'available' | 'failed' | 'deregistered';
  architecture: string;
  rootDeviceName: string;
  blockDeviceMappings: BlockDeviceMappingRecord[];
  virtualizationType: string;
  enaSupport?: boolean;
  sriovNetSupport?: string;
  bootMode?: string;
  imdsSupport?: string;
  tpmSupport?: string;
  creationDate: string;
  deprecationTime?: string;
  tags: Record<string, string>;
  launchPermissions: LaunchPermissionRecord[];
}
