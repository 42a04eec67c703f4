import { AminatorError, CLOUD_CONFIG, EXIT_USAGE, inject, injectable } from '@aminator/core';
import { Ec2Clients, quietSdkNodeWarning, regionFromChain } from './ec2-clients.js';
import { Ec2ErrorCodes } from './ec2-errors.js';
import { FreshResources } from './fresh-resources.js';
import { type InstanceIdentity, instanceIdentity } from './instance-identity.js';
import { LeaseKeeper, leaseTermsOf } from './leases.js';
import type { Ec2SessionConfig } from './session-config.js';

/**
 * What one bake knows about its EC2 context, looked up once and shared by the cloud and the finalizer:
 * this instance (IMDSv2 or config), the clients for the region (config, SDK chain, or the instance's),
 * and which ids it created (EC2 may not show them yet).
 */
@injectable()
export class Ec2Session {
  private identityPromise: Promise<InstanceIdentity> | undefined;
  private clientsPromise: Promise<Ec2Clients> | undefined;
  /** Ids this bake created, for the eventual-consistency rule every EC2 call naming them follows. */
  readonly fresh: FreshResources;
  /** The leases on what this bake created that another host's `cleanup --expired` may reclaim. */
  readonly leases: LeaseKeeper;

  constructor(@inject(CLOUD_CONFIG) private readonly config: Ec2SessionConfig) {
    quietSdkNodeWarning();
    this.fresh = new FreshResources(config.consistencyWindowMs);
    this.leases = new LeaseKeeper(
      async () => (await this.clients()).home,
      leaseTermsOf(config),
      (id) => this.fresh.mayBeHidden(id),
    );
  }

  identity(): Promise<InstanceIdentity> {
    this.identityPromise ??= instanceIdentity(this.config);
    return this.identityPromise;
  }

  clients(): Promise<Ec2Clients> {
    this.clientsPromise ??= this.makeClients();
    return this.clientsPromise;
  }

  private async makeClients(): Promise<Ec2Clients> {
    const region = (await regionFromChain(this.config)) ?? (await this.instanceRegion());
    return new Ec2Clients(region, this.config);
  }

  /** Without a configured region, an EC2 instance's own; elsewhere (a CI runner) there is none to ask. */
  private async instanceRegion(): Promise<string> {
    try {
      return (await this.identity()).region;
    } catch (cause) {
      throw new AminatorError('no AWS region: none in --region, the config, AWS_REGION or the profile, and no instance metadata to ask', {
        code: Ec2ErrorCodes.NO_REGION,
        exitCode: EXIT_USAGE,
        cause,
        suggestions: ['pass --region (e.g. --region eu-west-1), or export AWS_REGION'],
      });
    }
  }

  /** Release the SDK clients' sockets (the run's container calls this when the run ends). */
  async dispose(): Promise<void> {
    this.leases.stop();
    const clients = await this.clientsPromise?.catch(() => undefined);
    clients?.destroy();
    this.clientsPromise = undefined;
  }
}
