export { cycloneDxJson, preloadSbomLibraries, uuidFrom } from './cyclonedx.js';
export { recordImageSbom, type SbomInventory, sbomFileNames, writeImageSbom } from './image-sbom.js';
export { ancestryOf, descendantsOf, type LineageLink } from './lineage.js';
export { packageDelta } from './package-delta.js';
export { imagesHolding, type PackageQuery, parsePackageQuery, queryMatches } from './package-query.js';
export { inventoryFromCycloneDx } from './read-sbom.js';
export { documentTime, type SbomSubject, toolVersion } from './sbom-subject.js';
export { spdxJson } from './spdx.js';
export { compareDebianVersions, compareRpmVersions } from './version-order.js';
