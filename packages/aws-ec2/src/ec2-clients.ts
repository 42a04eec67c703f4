import { EBSClient } from '@aws-sdk/client-ebs';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { Ec2SessionConfig } from './session-config.js';

/**
 * EC2 clients per region, sharing the SDK's credential and endpoint chain (`AWS_PROFILE`,
 * `AWS_ENDPOINT_URL_EC2`, instance roles …), with the adaptive retry mode so throttling slows the
 * client down instead of failing it.
 */
export class Ec2Clients {
  private readonly clients = new Map<string, EC2Client>();
  private ebsClient: EBSClient | undefined;

  constructor(
    /** The region everything happens in, resolved once (config, SDK chain, or IMDS). */
    readonly region: string,
    private readonly config: Pick<Ec2SessionConfig, 'maxAttempts'>,
  ) {}

  get home(): EC2Client {
    return this.forRegion(this.region);
  }

  forRegion(region: string): EC2Client {
    let client = this.clients.get(region);
    if (!client) {
      client = new EC2Client({ region, retryMode: 'adaptive', maxAttempts: this.config.maxAttempts });
      this.clients.set(region, client);
    }
    return client;
  }

  /** The EBS direct API in the home region (`AWS_ENDPOINT_URL_EBS` for another endpoint). */
  get ebs(): EBSClient {
    this.ebsClient ??= new EBSClient({ region: this.region, retryMode: 'adaptive', maxAttempts: this.config.maxAttempts });
    return this.ebsClient;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.ebsClient?.destroy();
    this.ebsClient = undefined;
  }
}

/**
 * The SDK warns on stderr on every run under Node 20 that future releases need Node 22; aminate
 * supports Node 20 and documents that, so the warning would only be noise in bake output.
 */
export function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** Region from config, else the SDK chain (AWS_REGION, profile); undefined when neither has one. */
export async function regionFromChain(config: Pick<Ec2SessionConfig, 'region'>): Promise<string | undefined> {
  if (config.region) return config.region;
  try {
    const probe = new EC2Client({});
    const region = await probe.config.region();
    probe.destroy();
    return region || undefined;
  } catch {
    return undefined;
  }
}
