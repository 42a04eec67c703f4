import type { InventoryPackage, PackageInventory } from '@aminator/core';
import type { PackageURL } from 'packageurl-js';
import { formatLibraries } from './format-libraries.js';

interface CycloneDxComponent {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly purl?: unknown;
}

/**
 * The package list back from a CycloneDX document aminate wrote (`images list --with-package` asks
 * every image's SBOM): name and full version from the component, family and architecture from its
 * package URL. Components without a deb or rpm package URL are not packages of the image.
 */
export async function inventoryFromCycloneDx(json: string): Promise<PackageInventory> {
  const libraries = await formatLibraries();
  const bom = JSON.parse(json) as { components?: readonly CycloneDxComponent[] };
  let type: PackageInventory['type'] | undefined;
  const packages: InventoryPackage[] = [];
  for (const component of bom.components ?? []) {
    if (typeof component.purl !== 'string' || typeof component.name !== 'string' || typeof component.version !== 'string') continue;
    let purl: PackageURL;
    try {
      purl = libraries.PackageURL.fromString(component.purl);
    } catch {
      continue;
    }
    if (purl.type !== 'deb' && purl.type !== 'rpm') continue;
    type ??= purl.type;
    packages.push({ name: component.name, version: component.version, arch: String(purl.qualifiers?.arch ?? '') });
  }
  return { type: type ?? 'deb', packages, skipped: 0 };
}
