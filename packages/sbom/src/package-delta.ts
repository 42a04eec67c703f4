import type { InventoryPackage, PackageDelta, PackageInventory, UpgradedPackage } from '@aminator/core';

/** What a bake changed: packages of `image` not in `base`, those whose version moved, those gone (by name and architecture). */
export function packageDelta(base: PackageInventory, image: PackageInventory): PackageDelta {
  const key = (p: InventoryPackage): string => `${p.name}:${p.arch}`;
  const before = new Map(base.packages.map((p) => [key(p), p]));
  const after = new Map(image.packages.map((p) => [key(p), p]));
  const added: InventoryPackage[] = [];
  const upgraded: UpgradedPackage[] = [];
  for (const [k, p] of after) {
    const was = before.get(k);
    if (!was) added.push(p);
    else if (was.version !== p.version) upgraded.push({ name: p.name, arch: p.arch, from: was.version, to: p.version });
  }
  const removed = [...before].filter(([k]) => !after.has(k)).map(([, p]) => p);
  return { added, upgraded, removed };
}
