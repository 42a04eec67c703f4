import type { InstalledPackage } from '../interfaces/bake-types.js';

/** UTC `YYYYMMDDHHmm`, the default image name suffix. */
export function timestampSuffix(date = new Date()): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

/** `{name}-{version}-{release}-{arch}-{suffix}`, the name every finalizer gives a baked image. */
export function imageName(pkg: InstalledPackage, suffix: string = timestampSuffix()): string {
  return `${pkg.name}-${pkg.version}-${pkg.release}-${pkg.arch}-${suffix}`;
}
