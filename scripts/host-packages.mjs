#!/usr/bin/env node
// The Debian packages that provide the host tools aminate runs, from the one table in
// @aminator/linux-host (HostTools): those missing on this host, or with --all every one.
// Red Hat foundations' dnf only with --redhat; what arm64 images need on another host (qemu-user-static,
// qemu-system-arm, the AAVMF firmware) only with --arm64. Needs the workspace built (npm run build).
// Prints the package names on one line, space-separated (nothing when nothing is missing).
import { debianPackagesOf, hostToolsFor, missingHostTools } from '../packages/linux-host/dist/src/index.js';

const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (!['--all', '--redhat', '--arm64'].includes(arg)) {
    process.stderr.write(`host-packages: unknown argument ${arg} (usage: host-packages.mjs [--all] [--redhat] [--arm64])\n`);
    process.exit(2);
  }
}
const tools = hostToolsFor({ redhat: args.has('--redhat'), arm64: args.has('--arm64') });
const packages = debianPackagesOf(args.has('--all') ? tools : missingHostTools(tools)).sort();
if (packages.length > 0) process.stdout.write(`${packages.join(' ')}\n`);
