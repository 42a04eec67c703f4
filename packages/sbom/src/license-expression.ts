import type { FormatLibraries } from './format-libraries.js';

/** Whether a package database's license text is a valid SPDX license expression (Fedora's are since 38; older ones are not). */
export function isSpdxExpression(libraries: FormatLibraries, text: string): boolean {
  try {
    libraries.parseLicense(text);
    return true;
  } catch {
    return false;
  }
}
