import { Ec2Fault, filtersOf, listOf, membersOf, type Params, tagSet, tagSpecificationTags, tagsOf, wildcard, type XmlValue } from './ec2-query.js';
import type { BlockDeviceMappingRecord, ImageRecord, LaunchPermissionRecord, SnapshotRecord, VolumeRecord } from './ec2-records.js';
import { type Ec2World, newId } from './ec2-world.js';

type Body = Record<string, XmlValue>;
export type Action = (world: Ec2World, params: Params, region: string) => Body;

const ok: Body = { return: true };

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (!value) throw new Ec2Fault('MissingParameter', `The request must contain the parameter ${name}`);
  return value;
}

function matches(values: string[] | undefined, actual: string | undefined): boolean {
  return values === undefined || (actual !== undefined && values.some((v) => wildcard(v).test(actual)));
}

/** A filter over a list-valued attribute: any element matching is enough. */
function anyMatches(values: string[] | undefined, actual: ReadonlyArray<string | undefined>): boolean {
  return values === undefined || actual.some((a) => matches(values, a));
}

function tagFiltersMatch(filters: Map<string, string[]>, tags: Record<string, string>): boolean {
  for (const [name, values] of filters) {
    if (name.startsWith('tag:') && !matches(values, tags[name.slice(4)])) return false;
    if (name === 'tag-key' && !values.some((k) => k in tags)) return false;
  }
  return true;
}

function imageXml(image: ImageRecord): XmlValue {
  return {
    imageId: image.id,
    imageLocation: `${image.ownerId}/${image.name}`,
    imageState: image.state,
    imageOwnerId: image.ownerId,
    creationDate: image.creationDate,
    isPublic: image.launchPermissions.some((p) => p.group === 'all'),
    architecture: image.architecture,
    imageType: 'machine',
    name: image.name,
    description: image.description,
    imageOwnerAlias: image.ownerAlias,
    rootDeviceType: 'ebs',
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: image.blockDeviceMappings.map(mappingXml),
    virtualizationType: image.virtualizationType,
    hypervisor: 'xen',
    enaSupport: image.enaSupport,
    sriovNetSupport: image.sriovNetSupport,
    bootMode: image.bootMode,
    imdsSupport: image.imdsSupport,
    tpmSupport: image.tpmSupport,
    deprecationTime: image.deprecationTime,
    tagSet: tagSet(image.tags),
  };
}

function mappingXml(mapping: BlockDeviceMappingRecord): XmlValue {
  return { deviceName: mapping.deviceName, virtualName: mapping.virtualName, ebs: mapping.ebs && { ...mapping.ebs } };
}

function volumeXml(volume: VolumeRecord): XmlValue {
  const attachment = volume.attachment;
  return {
    volumeId: volume.id,
    size: volume.sizeGiB,
    snapshotId: volume.snapshotId ?? '',
    availabilityZone: volume.availabilityZone,
    status: volume.state,
    createTime: volume.createTime,
    volumeType: volume.volumeType,
    iops: volume.iops,
    throughput: volume.throughput,
    encrypted: volume.encrypted,
    kmsKeyId: volume.kmsKeyId,
    tagSet: tagSet(volume.tags),
    attachmentSet: attachment
      ? [{ volumeId: volume.id, instanceId: attachment.instanceId, device: attachment.device, status: attachment.state, deleteOnTermination: false }]
      : [],
  };
}

function snapshotXml(snapshot: SnapshotRecord): XmlValue {
  return {
    snapshotId: snapshot.id,
    volumeId: snapshot.volumeId,
    status: snapshot.state,
    startTime: snapshot.startTime,
    progress: `${snapshot.progress}%`,
    ownerId: snapshot.ownerId,
    volumeSize: snapshot.sizeGiB,
    description: snapshot.description,
    encrypted: snapshot.encrypted,
    kmsKeyId: snapshot.kmsKeyId,
    tagSet: tagSet(snapshot.tags),
  };
}

function owners(world: Ec2World, params: Params): string[] | undefined {
  const list = listOf(params, 'Owner');
  if (list.length === 0) return undefined;
  return list.map((o) => (o === 'self' ? world.instance.accountId : o));
}

const describeImages: Action = (world, params, region) => {
  const ids = listOf(params, 'ImageId');
  for (const id of ids) world.image(id, region);
  const wanted = owners(world, params);
  const filters = filtersOf(params);
  const images = [...world.images.values()].filter(
    (image) =>
      image.region === region &&
      image.state !== 'deregistered' &&
      world.visible(image.id) &&
      (ids.length === 0 || ids.includes(image.id)) &&
      (!wanted || wanted.includes(image.ownerId) || (image.ownerAlias !== undefined && wanted.includes(image.ownerAlias))) &&
      matches(filters.get('name'), image.name) &&
      matches(filters.get('state'), image.state) &&
      matches(filters.get('image-id'), image.id) &&
      matches(filters.get('owner-id'), image.ownerId) &&
      matches(filters.get('architecture'), image.architecture) &&
      anyMatches(
        filters.get('block-device-mapping.snapshot-id'),
        image.blockDeviceMappings.map((m) => m.ebs?.snapshotId),
      ) &&
      tagFiltersMatch(filters, image.tags),
  );
  return { imagesSet: images.map(imageXml) };
};

const describeVolumes: Action = (world, params, region) => {
  const ids = listOf(params, 'VolumeId');
  for (const id of ids) world.volume(id, region);
  const filters = filtersOf(params);
  const volumes = [...world.volumes.values()].filter(
    (v) =>
      v.region === region &&
      v.state !== 'deleted' &&
      world.visible(v.id) &&
      (ids.length === 0 || ids.includes(v.id)) &&
      matches(filters.get('attachment.instance-id'), v.attachment?.instanceId) &&
      matches(filters.get('status'), v.state) &&
      tagFiltersMatch(filters, v.tags),
  );
  return { volumeSet: volumes.map(volumeXml) };
};

const describeSnapshots: Action = (world, params, region) => {
  const ids = listOf(params, 'SnapshotId');
  for (const id of ids) world.snapshot(id, region);
  const filters = filtersOf(params);
  const wanted = listOf(params, 'Owner').map((o) => (o === 'self' ? world.instance.accountId : o));
  const snapshots = [...world.snapshots.values()].filter(
    (s) =>
      s.region === region &&
      world.visible(s.id) &&
      (ids.length === 0 || ids.includes(s.id)) &&
      (wanted.length === 0 || wanted.includes(s.ownerId)) &&
      matches(filters.get('status'), s.state) &&
      matches(filters.get('volume-id'), s.volumeId) &&
      tagFiltersMatch(filters, s.tags),
  );
  return { snapshotSet: snapshots.map(snapshotXml) };
};

const createVolume: Action = (world, params, region) => {
  const availabilityZone = required(params, 'AvailabilityZone');
  if (!availabilityZone.startsWith(region)) throw new Ec2Fault('InvalidParameterValue', `Invalid availability zone: [${availabilityZone}]`);
  const snapshotId = params.get('SnapshotId');
  const snapshot = snapshotId ? world.snapshot(snapshotId, region) : undefined;
  if (snapshot && snapshot.state !== 'completed') throw new Ec2Fault('IncorrectState', `Snapshot '${snapshot.id}' is not 'completed'.`);
  const sizeGiB = Number(params.get('Size') ?? snapshot?.sizeGiB ?? 0);
  if (!sizeGiB || (snapshot && sizeGiB < snapshot.sizeGiB))
    throw new Ec2Fault('InvalidParameterValue', `Volume of ${sizeGiB}GiB is smaller than snapshot ${snapshotId}, expect size >= ${snapshot?.sizeGiB}GiB`);
  const id = newId('vol');
  const volume: VolumeRecord = {
    id,
    region,
    availabilityZone,
    sizeGiB,
    state: 'creating',
    snapshotId,
    volumeType: params.get('VolumeType') ?? 'gp2',
    iops: params.has('Iops') ? Number(params.get('Iops')) : undefined,
    throughput: params.has('Throughput') ? Number(params.get('Throughput')) : undefined,
    encrypted: params.get('Encrypted') === 'true' || snapshot?.encrypted === true,
    kmsKeyId: params.get('KmsKeyId'),
    file: world.createVolumeFile(id, snapshot, sizeGiB),
    tags: tagSpecificationTags(params, 'volume'),
    createTime: new Date().toISOString(),
  };
  world.volumes.set(id, volume);
  world.created('volume', id);
  world.later(world.delays.volumeCreate, () => {
    if (volume.state === 'creating') {
      volume.state = 'available';
      world.noteTransition(id, 'available');
    }
  });
  return volumeXml(volume) as Body;
};

const attachVolume: Action = (world, params, region) => {
  const volume = world.volume(required(params, 'VolumeId'), region);
  const instanceId = required(params, 'InstanceId');
  const device = required(params, 'Device');
  if (instanceId !== world.instance.instanceId) throw new Ec2Fault('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  if (volume.availabilityZone !== world.instance.availabilityZone)
    throw new Ec2Fault('InvalidVolume.ZoneMismatch', 'The volume is not in the same availability zone as the instance');
  if (volume.state !== 'available') throw new Ec2Fault('IncorrectState', `vol '${volume.id}' is not 'available'.`);
  const taken = [...world.volumes.values()].some((v) => v.attachment?.device === device);
  if (taken) throw new Ec2Fault('InvalidParameterValue', `Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`);
  volume.state = 'in-use';
  volume.attachment = { instanceId, device, state: 'attaching', loops: [], links: [] };
  if (!world.faults.attachNeverCompletes) world.later(world.delays.attach, () => world.attach(volume, device));
  return { volumeId: volume.id, instanceId, device, status: 'attaching', attachTime: new Date().toISOString() };
};

const detachVolume: Action = (world, params, region) => {
  const volume = world.volume(required(params, 'VolumeId'), region);
  const attachment = volume.attachment;
  if (!attachment) throw new Ec2Fault('IncorrectState', `Volume '${volume.id}' is in the 'available' state.`);
  attachment.state = 'detaching';
  world.later(world.delays.detach, () => world.detach(volume));
  return { volumeId: volume.id, instanceId: attachment.instanceId, device: attachment.device, status: 'detaching' };
};

const deleteVolume: Action = (world, params, region) => {
  const volume = world.volume(required(params, 'VolumeId'), region);
  if (volume.attachment || volume.state === 'in-use')
    throw new Ec2Fault('VolumeInUse', `Volume ${volume.id} is currently attached to ${volume.attachment?.instanceId}`);
  volume.state = 'deleting';
  world.later(world.delays.volumeDelete, () => {
    volume.state = 'deleted';
    world.removeFile(volume.file);
  });
  return ok;
};

const createSnapshot: Action = (world, params, region) => {
  const volume = world.volume(required(params, 'VolumeId'), region);
  const id = newId('snap');
  const snapshot: SnapshotRecord = {
    id,
    region,
    volumeId: volume.id,
    sizeGiB: volume.sizeGiB,
    state: 'pending',
    progress: 0,
    file: world.copyToSnapshotFile(volume.file, id),
    ownerId: world.instance.accountId,
    description: params.get('Description') ?? '',
    encrypted: volume.encrypted,
    kmsKeyId: volume.kmsKeyId,
    startTime: new Date().toISOString(),
    tags: tagSpecificationTags(params, 'snapshot'),
  };
  world.snapshots.set(id, snapshot);
  world.created('snapshot', id);
  const total = world.delays.snapshot;
  for (const share of [0.25, 0.5, 0.75])
    world.later(total * share, () => {
      if (snapshot.state === 'pending') snapshot.progress = share * 100;
    });
  world.later(total, () => {
    if (snapshot.state !== 'pending') return;
    snapshot.state = world.faults.snapshotFails ? 'error' : 'completed';
    snapshot.progress = world.faults.snapshotFails ? snapshot.progress : 100;
    world.noteTransition(id, snapshot.state);
  });
  return snapshotXml(snapshot) as Body;
};

/** A copy in this account (from this region or another), complete after `delays.copy`. */
const copySnapshot: Action = (world, params, region) => {
  const sourceRegion = required(params, 'SourceRegion');
  const source = world.snapshot(required(params, 'SourceSnapshotId'), sourceRegion);
  if (source.state !== 'completed') throw new Ec2Fault('IncorrectState', `Snapshot '${source.id}' is not 'completed'.`);
  if (source.ownerId !== world.instance.accountId && !source.public) throw new Ec2Fault('AuthFailure', `Not authorized for snapshot '${source.id}'.`);
  const id = newId('snap');
  const kmsKeyId = params.get('KmsKeyId');
  const snapshot: SnapshotRecord = {
    id,
    region,
    volumeId: 'vol-ffffffff',
    sizeGiB: source.sizeGiB,
    state: 'pending',
    progress: 0,
    file: world.copyToSnapshotFile(source.file, id),
    ownerId: world.instance.accountId,
    description: params.get('Description') ?? `Copied for DestinationAmi from ${source.id}`,
    encrypted: params.get('Encrypted') === 'true' || source.encrypted || kmsKeyId !== undefined,
    kmsKeyId,
    startTime: new Date().toISOString(),
    tags: tagSpecificationTags(params, 'snapshot'),
  };
  world.snapshots.set(id, snapshot);
  world.created('snapshot', id);
  world.later(world.delays.copy, () => {
    if (snapshot.state !== 'pending') return;
    snapshot.state = world.faults.snapshotFails ? 'error' : 'completed';
    snapshot.progress = world.faults.snapshotFails ? snapshot.progress : 100;
    world.noteTransition(id, snapshot.state);
  });
  return { snapshotId: id };
};

const describeSnapshotAttribute: Action = (world, params, region) => {
  const snapshot = world.snapshot(required(params, 'SnapshotId'), region);
  const attribute = required(params, 'Attribute');
  if (attribute !== 'createVolumePermission') throw new Ec2Fault('InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid.`);
  return { snapshotId: snapshot.id, createVolumePermission: snapshot.public ? [{ group: 'all' }] : [] };
};

const deleteSnapshot: Action = (world, params, region) => {
  const snapshot = world.snapshot(required(params, 'SnapshotId'), region);
  const user = [...world.images.values()].find((i) => i.state !== 'deregistered' && i.blockDeviceMappings.some((m) => m.ebs?.snapshotId === snapshot.id));
  if (user) throw new Ec2Fault('InvalidSnapshot.InUse', `The snapshot ${snapshot.id} is currently in use by ${user.id}`);
  if (snapshot.direct && snapshot.state === 'pending')
    throw new Ec2Fault('IncorrectState', `The snapshot '${snapshot.id}' is being written with EBS direct; it can be deleted once completed or in error.`);
  world.snapshots.delete(snapshot.id);
  world.removeFile(snapshot.file);
  return ok;
};

function mappingsOf(params: Params): BlockDeviceMappingRecord[] {
  return membersOf(params, 'BlockDeviceMapping').map((m) => ({
    deviceName: m.get('DeviceName') ?? '',
    virtualName: m.get('VirtualName'),
    ebs: [...m.keys()].some((k) => k.startsWith('Ebs.'))
      ? {
          snapshotId: m.get('Ebs.SnapshotId'),
          volumeSize: m.has('Ebs.VolumeSize') ? Number(m.get('Ebs.VolumeSize')) : undefined,
          deleteOnTermination: m.has('Ebs.DeleteOnTermination') ? m.get('Ebs.DeleteOnTermination') === 'true' : undefined,
          volumeType: m.get('Ebs.VolumeType'),
          encrypted: m.has('Ebs.Encrypted') ? m.get('Ebs.Encrypted') === 'true' : undefined,
          iops: m.has('Ebs.Iops') ? Number(m.get('Ebs.Iops')) : undefined,
          throughput: m.has('Ebs.Throughput') ? Number(m.get('Ebs.Throughput')) : undefined,
        }
      : undefined,
  }));
}

const NAME_RULE = /^[a-zA-Z0-9()[\] ./\-'@_]{3,128}$/;

const registerImage: Action = (world, params, region) => {
  const name = required(params, 'Name');
  if (!NAME_RULE.test(name))
    throw new Ec2Fault(
      'InvalidAMIName.Malformed',
      `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`,
    );
  const owner = world.instance.accountId;
  if ([...world.images.values()].some((i) => i.region === region && i.ownerId === owner && i.name === name && i.state !== 'deregistered')) {
    throw new Ec2Fault('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI`);
  }
  const mappings = mappingsOf(params);
  for (const mapping of mappings) if (mapping.ebs?.snapshotId) world.snapshot(mapping.ebs.snapshotId, region);
  const rootDeviceName = required(params, 'RootDeviceName');
  if (!mappings.some((m) => m.deviceName === rootDeviceName))
    throw new Ec2Fault('InvalidBlockDeviceMapping', `The root device ${rootDeviceName} has no mapping`);
  const image: ImageRecord = {
    id: newId('ami'),
    region,
    name,
    description: params.get('Description') ?? '',
    ownerId: owner,
    state: 'pending',
    architecture: params.get('Architecture') ?? 'x86_64',
    rootDeviceName,
    blockDeviceMappings: mappings,
    virtualizationType: params.get('VirtualizationType') ?? 'paravirtual',
    enaSupport: params.has('EnaSupport') ? params.get('EnaSupport') === 'true' : undefined,
    sriovNetSupport: params.get('SriovNetSupport'),
    bootMode: params.get('BootMode'),
    imdsSupport: params.get('ImdsSupport'),
    tpmSupport: params.get('TpmSupport'),
    creationDate: new Date().toISOString(),
    tags: tagSpecificationTags(params, 'image'),
    launchPermissions: [],
  };
  world.images.set(image.id, image);
  world.created('image', image.id);
  world.later(world.delays.image, () => {
    if (image.state === 'pending') {
      image.state = 'available';
      world.noteTransition(image.id, 'available');
    }
  });
  return { imageId: image.id };
};

const deregisterImage: Action = (world, params, region) => {
  const image = world.image(required(params, 'ImageId'), region);
  if (image.ownerId !== world.instance.accountId) throw new Ec2Fault('AuthFailure', `Not authorized for image:${image.id}`);
  image.state = 'deregistered';
  return ok;
};

/** EC2's limit of tags on one resource. */
export const MAX_TAGS = 50;

const createTags: Action = (world, params, region) => {
  const tags = tagsOf(params);
  const resources = listOf(params, 'ResourceId').map((id) =>
    id.startsWith('ami-') ? world.image(id, region) : id.startsWith('snap-') ? world.snapshot(id, region) : world.volume(id, region),
  );
  for (const resource of resources) {
    if (Object.keys({ ...resource.tags, ...tags }).length > MAX_TAGS) {
      throw new Ec2Fault('TagLimitExceeded', `The maximum number of Tags for a resource has been reached (${MAX_TAGS}).`);
    }
  }
  for (const resource of resources) Object.assign(resource.tags, tags);
  return ok;
};

function permissionsOf(params: Params, prefix: string): LaunchPermissionRecord[] {
  return membersOf(params, prefix).map((m) => ({
    userId: m.get('UserId'),
    group: m.get('Group'),
    organizationArn: m.get('OrganizationArn'),
    organizationalUnitArn: m.get('OrganizationalUnitArn'),
  }));
}

const modifyImageAttribute: Action = (world, params, region) => {
  const image = world.image(required(params, 'ImageId'), region);
  const add = permissionsOf(params, 'LaunchPermission.Add');
  const remove = permissionsOf(params, 'LaunchPermission.Remove');
  if (add.length + remove.length === 0) throw new Ec2Fault('MissingParameter', 'No attribute to modify');
  for (const permission of add) {
    if (permission.userId && !/^\d{12}$/.test(permission.userId))
      throw new Ec2Fault('InvalidAMIAttributeItemValue', `Invalid attribute item value "${permission.userId}" for userId item type.`);
    image.launchPermissions.push(permission);
  }
  image.launchPermissions = image.launchPermissions.filter((p) => !remove.some((r) => JSON.stringify(r) === JSON.stringify(p)));
  return ok;
};

const describeImageAttribute: Action = (world, params, region) => {
  const image = world.image(required(params, 'ImageId'), region);
  if (params.get('Attribute') !== 'launchPermission') throw new Ec2Fault('InvalidParameterValue', `Attribute ${params.get('Attribute')} is not supported here`);
  return { imageId: image.id, launchPermission: image.launchPermissions.map((p) => ({ ...p })) };
};

const enableImageDeprecation: Action = (world, params, region) => {
  const image = world.image(required(params, 'ImageId'), region);
  image.deprecationTime = new Date(required(params, 'DeprecateAt')).toISOString().replace(/\.\d{3}Z$/, '.000Z');
  return ok;
};

const copyImage: Action = (world, params, region) => {
  const source = world.image(required(params, 'SourceImageId'), required(params, 'SourceRegion'));
  const id = newId('ami');
  const encrypted = params.get('Encrypted') === 'true';
  const mappings = source.blockDeviceMappings.map((mapping) => {
    if (!mapping.ebs?.snapshotId) return mapping;
    const from = world.snapshot(mapping.ebs.snapshotId, source.region);
    const copyId = newId('snap');
    world.created('snapshot', copyId);
    world.snapshots.set(copyId, {
      ...from,
      id: copyId,
      region,
      tags: params.get('CopyImageTags') === 'true' ? { ...from.tags } : {},
      encrypted: encrypted || from.encrypted,
      kmsKeyId: params.get('KmsKeyId') ?? from.kmsKeyId,
      file: world.copyToSnapshotFile(from.file, copyId),
      description: `Copied for DestinationAmi ${id}`,
    });
    return { ...mapping, ebs: { ...mapping.ebs, snapshotId: copyId, encrypted: encrypted || mapping.ebs.encrypted } };
  });
  const image: ImageRecord = {
    ...source,
    id,
    region,
    name: params.get('Name') ?? source.name,
    description: params.get('Description') ?? source.description,
    ownerId: world.instance.accountId,
    ownerAlias: undefined,
    state: 'pending',
    blockDeviceMappings: mappings,
    creationDate: new Date().toISOString(),
    tags: params.get('CopyImageTags') === 'true' ? { ...source.tags } : {},
    launchPermissions: [],
    deprecationTime: undefined,
  };
  world.images.set(id, image);
  world.created('image', id);
  world.later(world.delays.copy, () => {
    if (image.state === 'pending') {
      image.state = 'available';
      world.noteTransition(id, 'available');
    }
  });
  return { imageId: id };
};

export const ACTIONS: Readonly<Record<string, Action>> = {
  DescribeImages: describeImages,
  DescribeVolumes: describeVolumes,
  DescribeSnapshots: describeSnapshots,
  CreateVolume: createVolume,
  AttachVolume: attachVolume,
  DetachVolume: detachVolume,
  DeleteVolume: deleteVolume,
  CreateSnapshot: createSnapshot,
  DeleteSnapshot: deleteSnapshot,
  CopySnapshot: copySnapshot,
  GetEbsEncryptionByDefault: (world) => ({ ebsEncryptionByDefault: world.encryptionByDefault }),
  DescribeSnapshotAttribute: describeSnapshotAttribute,
  RegisterImage: registerImage,
  DeregisterImage: deregisterImage,
  CreateTags: createTags,
  ModifyImageAttribute: modifyImageAttribute,
  DescribeImageAttribute: describeImageAttribute,
  EnableImageDeprecation: enableImageDeprecation,
  CopyImage: copyImage,
};
