/**
 * Split a Debian version `[epoch:]upstream[-revision]` into the version and release of image names:
 * `1:2.10-3` → `2.10` and `3`; a native package without revision gets release `0`. The epoch is left
 * out: image names cannot hold a colon.
 */
export function splitDebianVersion(full: string): { version: string; release: string } {
  const withoutEpoch = full.includes(':') ? full.slice(full.indexOf(':') + 1) : full;
  const dash = withoutEpoch.lastIndexOf('-');
  return dash === -1 ? { version: withoutEpoch, release: '0' } : { version: withoutEpoch.slice(0, dash), release: withoutEpoch.slice(dash + 1) };
}
