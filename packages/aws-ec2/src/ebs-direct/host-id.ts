import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

let cached: string | undefined;

/**
 * This host, for tags that let `aminate cleanup` tell its own dead runs' snapshots from another
 * host's live ones: /etc/machine-id (stable, unique per installation), else the host name.
 */
export function hostId(): string {
  if (cached === undefined) {
    try {
      cached = readFileSync('/etc/machine-id', 'utf8').trim() || hostname();
    } catch {
      cached = hostname();
    }
  }
  return cached;
}
