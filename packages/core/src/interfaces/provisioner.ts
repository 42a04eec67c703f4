import type { BakePlugin } from './bake-plugin.js';
import type { BaseImage, InstalledPackage, PackageSpec, PreparedChroot } from './bake-types.js';
import type { PackageInventory } from './package-inventory.js';
import type { StepContext } from './step-context.js';

/** What a provisioner installs and where. */
export interface ProvisionInput {
  readonly chroot: PreparedChroot;
  readonly spec: PackageSpec;
  readonly baseImage: BaseImage;
  readonly environment: string;
}

/** kind `provisioner`: installing the package inside the chroot. */
export interface Provisioner extends BakePlugin {
  /**
   * Validate what the user asked to install before anything runs; throw a UsageError for anything
   * that could be read as an option or has characters no package name has.
   */
  parseSpec(raw: string): PackageSpec;
  /** Install, read back name/version/release/arch, run post-install scripts. */
  provision(input: ProvisionInput, ctx: StepContext): Promise<InstalledPackage>;
  /**
   * Optional: the packages installed in the chroot, read from its package database on the host side
   * (no program of the image runs). Called before and after `provision`; the difference is what the
   * bake added, and the second list is the image's SBOM. Throws an AminatorError when the database
   * cannot be read safely; the bake then goes on and says which image has no SBOM.
   */
  inventory?(chroot: PreparedChroot, ctx: StepContext): Promise<PackageInventory>;
}
