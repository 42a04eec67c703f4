import type { InventoryPackage, PackageInventory } from '@aminator/core';
import { type FormatLibraries, formatLibraries } from './format-libraries.js';
import { isSpdxExpression } from './license-expression.js';
import { packageUrl } from './package-url.js';
import { documentTime, type SbomSubject, toolVersion } from './sbom-subject.js';

// No maintained JavaScript library writes SPDX 2.3 (the SPDX project's tools are Python, Java and Go):
// the document is built here from the specification's JSON fields, checked field by field in the tests.
const NOASSERTION = 'NOASSERTION';

/** SPDX 2.3 JSON of an image's packages: the image is the described package, and CONTAINS each installed one. */
export async function spdxJson(inventory: PackageInventory, subject: SbomSubject): Promise<string> {
  const libraries = await formatLibraries();
  const imageRef = 'SPDXRef-Image';
  const packages = inventory.packages.map((pkg, index) => spdxPackage(libraries, inventory, pkg, index));
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${subject.imageName} (${subject.imageId})`,
    documentNamespace: `https://aminator.invalid/spdx/images/${subject.imageId}`,
    creationInfo: {
      created: documentTime(subject)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: aminate-${toolVersion()}`],
    },
    packages: [
      {
        name: subject.imageName,
        SPDXID: imageRef,
        versionInfo: subject.imageId,
        downloadLocation: NOASSERTION,
        filesAnalyzed: false,
        primaryPackagePurpose: 'OPERATING-SYSTEM',
        licenseConcluded: NOASSERTION,
        licenseDeclared: NOASSERTION,
        copyrightText: NOASSERTION,
      },
      ...packages,
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageRef },
      ...packages.map((p) => ({ spdxElementId: imageRef, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID })),
    ],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function spdxPackage(libraries: FormatLibraries, inventory: PackageInventory, pkg: InventoryPackage, index: number) {
  const declared = pkg.license && isSpdxExpression(libraries, pkg.license) ? pkg.license : NOASSERTION;
  return {
    name: pkg.name,
    // SPDX ids allow letters, digits, `.` and `-`; the index keeps two packages apart whose names differ only in `+` or `_`.
    SPDXID: `SPDXRef-Package-${index + 1}-${pkg.name.replace(/[^A-Za-z0-9.-]/g, '-')}-${pkg.arch.replace(/[^A-Za-z0-9.-]/g, '-')}`,
    versionInfo: pkg.version,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    primaryPackagePurpose: 'LIBRARY',
    licenseConcluded: NOASSERTION,
    licenseDeclared: declared,
    ...(pkg.license && declared === NOASSERTION ? { licenseComments: `as the package database records it: ${pkg.license}` } : {}),
    copyrightText: NOASSERTION,
    ...(pkg.source ? { sourceInfo: `built from the ${inventory.type} source package ${pkg.source}${pkg.sourceVersion ? ` ${pkg.sourceVersion}` : ''}` } : {}),
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: packageUrl(libraries, inventory, pkg) }],
  };
}
