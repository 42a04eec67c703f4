#!/usr/bin/env node
// The Debian packages that provide the host tools aminate runs, from the one table in
// @aminator/linux-host (HostTools): those missing on this host, or with --all every one.
// Red Hat foundations' dnf only with --redhat. Needs the workspace built (npm run build).
// Prints the package names on one line, space-separated (nothing when nothing is missing).
import { debianPackagesOf, HostTools, missingHostTools } from '../packages/linux-host/dist/src/index.js';

const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (!['--all', '--redhat'].includes(arg)) {
    process.stderr.write(`host-packages: unknown argument ${arg} (usage: host-packages.mjs [--all] [--redhat])\n`);
    process.exit(2);
  }
}
const tools = Object.values(HostTools).filter((tool) => args.has('--redhat') || !tool.redHatOnly);
const packages = debianPackagesOf(args.has('--all') ? tools : missingHostTools(tools)).sort();
if (packages.length > 0) process.stdout.write(`${packages.join(' ')}\n`);
