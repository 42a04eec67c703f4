import type { BaseImage, PackageSpec } from './bake-types.js';

/** What is known before anything is acquired; every plugin's preflight sees it. */
export interface BakePlan {
  /** Name of the selected environment. */
  readonly environment: string;
  readonly spec: PackageSpec;
  readonly baseImage: BaseImage;
}
