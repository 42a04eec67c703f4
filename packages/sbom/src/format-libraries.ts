import type { PackageURL } from 'packageurl-js';
import type parse from 'spdx-expression-parse';

/** The third-party parsers the documents need, loaded on first use: a command that writes no SBOM never pays for them (~35 ms). */
export interface FormatLibraries {
  readonly PackageURL: typeof PackageURL;
  readonly parseLicense: typeof parse;
}

let loaded: Promise<FormatLibraries> | undefined;

export function formatLibraries(): Promise<FormatLibraries> {
  // Both are CommonJS: `default` is module.exports, under Node's loader and in the bundle alike.
  loaded ??= Promise.all([import('packageurl-js'), import('spdx-expression-parse')]).then(([purl, license]) => ({
    PackageURL: purl.default.PackageURL,
    parseLicense: license.default,
  }));
  return loaded;
}
