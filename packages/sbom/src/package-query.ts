import { InvalidInputError, type PackageInventory } from '@aminator/core';
import { inventoryFromCycloneDx } from './read-sbom.js';
import { compareDebianVersions, compareRpmVersions } from './version-order.js';

/** `openssl<3.0.13`: a package name and, optionally, a version bound in the distribution's own ordering. */
export interface PackageQuery {
  readonly name: string;
  readonly op?: '<' | '<=' | '=' | '>=' | '>';
  readonly version?: string;
}

const QUERY = /^([A-Za-z0-9_+][A-Za-z0-9._+-]{0,127})(?:(<=|>=|<|>|=)([A-Za-z0-9.+~:_^-]{1,256}))?$/;

/** Parse `NAME`, `NAME<VERSION`, `NAME<=VERSION`, `NAME=VERSION`, `NAME>=VERSION` or `NAME>VERSION`. */
export function parsePackageQuery(text: string, field = '--with-package'): PackageQuery {
  const match = QUERY.exec(text.trim());
  if (!match) {
    throw new InvalidInputError(field, `${JSON.stringify(text)} is not NAME or NAME<op>VERSION`, [
      "e.g. 'openssl<3.0.13' or 'libssl3<=3.0.11-1~deb12u2' (quote it: < and > mean redirection to the shell)",
    ]);
  }
  const [, name = '', op, version] = match;
  return op && version ? { name, op: op as PackageQuery['op'], version } : { name };
}

/** The versions of the queried package in an inventory that satisfy the query (one per architecture installed). */
export function queryMatches(inventory: PackageInventory, query: PackageQuery): string[] {
  const compare = inventory.type === 'deb' ? compareDebianVersions : compareRpmVersions;
  return inventory.packages
    .filter((p) => p.name === query.name)
    .filter((p) => {
      if (!query.op || query.version === undefined) return true;
      const order = compare(p.version, query.version);
      switch (query.op) {
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '=':
          return order === 0;
        case '>=':
          return order >= 0;
        default:
          return order > 0;
      }
    })
    .map((p) => `${p.name} ${p.version} (${p.arch})`);
}

/**
 * The package question across images: which hold a package matching `query` (with the matching
 * packages, from each image's CycloneDX document), and which could not be asked, with why — never
 * counted as holding none.
 */
export async function imagesHolding<T extends { readonly id: string }>(
  images: readonly T[],
  query: PackageQuery,
  documentOf: (image: T) => Promise<{ text: string } | { missing: string }>,
): Promise<{ matches: Map<string, string[]>; unknown: Array<{ image: T; why: string }> }> {
  const matches = new Map<string, string[]>();
  const unknown: Array<{ image: T; why: string }> = [];
  for (const image of images) {
    const document = await documentOf(image);
    if ('missing' in document) {
      unknown.push({ image, why: document.missing });
      continue;
    }
    const found = queryMatches(await inventoryFromCycloneDx(document.text), query);
    if (found.length > 0) matches.set(image.id, found);
  }
  return { matches, unknown };
}
