export { EBS_BLOCK, EbsDirectApi, EbsFault, sha256 } from './ebs-direct.js';
export * from './ec2-devices.js';
export * from './ec2-endpoint.js';
export * from './ec2-query.js';
export type * from './ec2-records.js';
export { type Ec2Consistency, type Ec2Delays, type Ec2Faults, type Ec2Instance, Ec2World, type ResourceKind } from './ec2-world.js';
