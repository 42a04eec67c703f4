import { createHash } from 'node:crypto';
import type { PackageInventory } from '@aminator/core';
import { formatLibraries } from './format-libraries.js';
import { isSpdxExpression } from './license-expression.js';
import { packageUrl } from './package-url.js';
import { documentTime, type SbomSubject, toolVersion } from './sbom-subject.js';

// The parts used, not the library's index (its validators and XML code): ~25 ms less to load.
// CommonJS: its `default` is module.exports, under Node's loader and in the bundle alike.
async function loadCycloneDx() {
  const [enums, models, serialize, spec] = await Promise.all([
    import('@cyclonedx/cyclonedx-library/Enums'),
    import('@cyclonedx/cyclonedx-library/Models'),
    import('@cyclonedx/cyclonedx-library/Serialize'),
    import('@cyclonedx/cyclonedx-library/Spec'),
  ]);
  return { Enums: enums.default, Models: models.default, Serialize: serialize.default, Spec: spec.default };
}

let library: ReturnType<typeof loadCycloneDx> | undefined;

function cycloneDxLibrary(): ReturnType<typeof loadCycloneDx> {
  library ??= loadCycloneDx();
  return library;
}

// A bake's first steps run short commands back to back, so Node's main thread is their bottleneck
// (each spawn is a fork of aminate); from the package install on, it mostly waits. Compiling the
// libraries (~50 ms of main thread) then costs the bake nothing, where right after preflight it
// delayed the volume's copy by as much.
const PRELOAD_DELAY_MS = 750;

/**
 * Start loading what the documents need, for a caller that will write them later and waits on
 * processes meanwhile (a bake, from its finalizer's preflight). A failure is not reported here;
 * writing the documents meets it again and says so. Writing them before the delay is over simply
 * loads them then.
 */
export function preloadSbomLibraries(): void {
  setTimeout(() => {
    Promise.all([cycloneDxLibrary(), formatLibraries()]).catch(() => {
      library = undefined;
    });
  }, PRELOAD_DELAY_MS).unref();
}

/**
 * CycloneDX 1.5 JSON of an image's packages, made with OWASP's CycloneDX library (loaded here, on
 * first use: a bake pays for it at finalize, `aminate --help` never). The serial number is derived
 * from the image id, so the same image always has the same document.
 */
export async function cycloneDxJson(inventory: PackageInventory, subject: SbomSubject): Promise<string> {
  const [{ Enums, Models, Serialize, Spec }, libraries] = await Promise.all([cycloneDxLibrary(), formatLibraries()]);
  const image = new Models.Component(Enums.ComponentType.OperatingSystem, subject.imageName, {
    bomRef: `image:${subject.imageId}`,
    version: subject.imageId,
    ...(inventory.distribution ? { description: `${inventory.distribution.id} ${inventory.distribution.versionId ?? ''}`.trim() } : {}),
  });
  const bom = new Models.Bom({
    serialNumber: `urn:uuid:${uuidFrom(`aminator-sbom:${subject.imageId}`)}`,
    metadata: new Models.Metadata({
      timestamp: documentTime(subject),
      component: image,
      tools: new Models.Tools({ tools: new Models.ToolRepository([new Models.Tool({ vendor: 'Aminator', name: 'aminate', version: toolVersion() })]) }),
    }),
  });
  for (const pkg of inventory.packages) {
    const purl = packageUrl(libraries, inventory, pkg);
    const component = new Models.Component(Enums.ComponentType.Library, pkg.name, { bomRef: purl, version: pkg.version, purl });
    component.properties.add(new Models.Property('aminator:arch', pkg.arch));
    if (pkg.source) component.properties.add(new Models.Property('aminator:source', pkg.sourceVersion ? `${pkg.source} ${pkg.sourceVersion}` : pkg.source));
    if (pkg.license)
      component.licenses.add(isSpdxExpression(libraries, pkg.license) ? new Models.LicenseExpression(pkg.license) : new Models.NamedLicense(pkg.license));
    bom.components.add(component);
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot5));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

/** A name-based UUID (version 5 layout, SHA-256 truncated): the same name, the same id. */
export function uuidFrom(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
