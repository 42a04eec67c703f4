import { CLOUD_CONFIG } from '@aminator/core';
import { inject, injectable } from 'tsyringe';
import { Ec2Clients, quietSdkNodeWarning, regionFromChain } from './ec2-clients.js';
import { FreshResources } from './fresh-resources.js';
import { type InstanceIdentity, instanceIdentity } from './instance-identity.js';
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

  constructor(@inject(CLOUD_CONFIG) private readonly config: Ec2SessionConfig) {
    quietSdkNodeWarning();
    this.fresh = new FreshResources(config.consistencyWindowMs);
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
    const region = (await regionFromChain(this.config)) ?? (await this.identity()).region;
    return new Ec2Clients(region, this.config);
  }

  /** Release the SDK clients' sockets (the run's container calls this when the run ends). */
  async dispose(): Promise<void> {
    const clients = await this.clientsPromise?.catch(() => undefined);
    clients?.destroy();
    this.clientsPromise = undefined;
  }
}
