import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

let cached: string | undefined;

/**
 * This host, for tags that let `aminate cleanup` tell its own dead runs' snapshots from another
 * host's live ones. /etc/machine-id alone is not enough: hosts cloned from one disk (an AMI baked
 * without clearing it, a VM template) share it, and each would reclaim the other's running bakes.
 * The host name, which a fleet gives each member (EC2's ip-…, a pod's name, a runner's name), is
 * taken with it: a digest of both.
 */
export function hostId(): string {
  if (cached === undefined) {
    let machineId = '';
    try {
      machineId = readFileSync('/etc/machine-id', 'utf8').trim();
    } catch {
      // no machine id (some containers): the host name alone
    }
    cached = createHash('sha256').update(`${machineId}\0${hostname()}`).digest('hex').slice(0, 32);
  }
  return cached;
}
