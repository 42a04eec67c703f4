import type { InventoryPackage, PackageInventory } from '@aminator/core';
import type { FormatLibraries } from './format-libraries.js';

/**
 * The package URL of an installed package: `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12`,
 * `pkg:rpm/fedora/curl@8.6.0-7.fc40?arch=x86_64&distro=fedora-40` (rpm's epoch is a qualifier; dpkg's stays in the version).
 */
export function packageUrl(libraries: FormatLibraries, inventory: PackageInventory, pkg: InventoryPackage): string {
  const vendor = inventory.distribution?.id ?? (inventory.type === 'deb' ? 'debian' : 'rpm');
  const distro = inventory.distribution?.versionId ? `${vendor}-${inventory.distribution.versionId}` : undefined;
  const qualifiers: Record<string, string> = { arch: pkg.arch };
  let version = pkg.version;
  if (inventory.type === 'rpm') {
    const colon = version.indexOf(':');
    if (colon > 0) {
      qualifiers.epoch = version.slice(0, colon);
      version = version.slice(colon + 1);
    }
  }
  if (distro) qualifiers.distro = distro;
  return new libraries.PackageURL(inventory.type, vendor, pkg.name, version, qualifiers, undefined).toString();
}
