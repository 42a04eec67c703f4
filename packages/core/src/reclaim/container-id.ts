import { readFileSync } from 'node:fs';

/**
 * The id of the container this process runs in, as podman, Docker, containerd and CRI-O put it in
 * the cgroup path (`libpod-<64 hex>.scope`, `docker/<64 hex>`, `cri-containerd-<64 hex>.scope`, …);
 * undefined outside a container or where the cgroup says nothing (a private cgroup namespace).
 */
export function containerId(cgroupFile = '/proc/self/cgroup'): string | undefined {
  try {
    return /[/-]([0-9a-f]{64})(?:\.scope)?(?:\/|$)/m.exec(readFileSync(cgroupFile, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
