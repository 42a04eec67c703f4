import { type PluginCommand, textTable } from '@aminator/core';
import { debianPackagesOf, hostToolsFor, missingHostTools } from '@aminator/linux-host';

/**
 * `aminate host-tools`: the programs the Linux plugins run on this host (the one table in
 * @aminator/linux-host), whether each is here, and the Debian packages that provide them — what a
 * container image, a CI job or a new build host installs: `apt-get install $(aminate host-tools --missing --packages)`.
 */
export const hostToolsCommand: PluginCommand = {
  name: 'host-tools',
  summary: 'the programs aminate runs on this host, whether each is installed, and their Debian packages',
  description:
    "Debian images' tools by default; --redhat and --arm64 add what Red Hat images and arm64 images on an x86_64 host need. " +
    'apt-get install -y --no-install-recommends $(aminate host-tools --missing --packages) installs what is missing.',
  options: [
    { flags: '--missing', description: 'only the tools this host lacks' },
    { flags: '--packages', description: 'only the Debian package names, on one line (nothing when none)' },
    { flags: '--redhat', description: 'also what Red Hat family images need (rpm, dnf)' },
    { flags: '--arm64', description: 'also what arm64 images need on an x86_64 host (qemu-user-static, qemu-system-arm, AAVMF)' },
  ],
  async run(_args, options, ctx) {
    const tools = hostToolsFor({ redhat: options.redhat === true, arm64: options.arm64 === true });
    const missing = new Set(missingHostTools(tools));
    const shown = options.missing === true ? tools.filter((t) => missing.has(t)) : tools;
    if (options.packages === true) {
      const packages = debianPackagesOf(shown).sort();
      ctx.print(packages, packages.length > 0 ? [packages.join(' ')] : []);
      return 0;
    }
    const rows = shown.map((t) => [t.command, t.debianPackage, missing.has(t) ? 'missing' : 'installed']);
    ctx.print(
      shown.map((t) => ({ command: t.command, debianPackage: t.debianPackage, installed: !missing.has(t) })),
      rows.length > 0 ? textTable([['PROGRAM', 'DEBIAN PACKAGE', 'HERE'], ...rows]) : ['every tool is installed'],
    );
    return 0;
  },
};
