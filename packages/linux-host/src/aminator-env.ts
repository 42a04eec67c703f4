import type { BaseImage, InstalledPackage } from '@aminator/core';

export interface AminatorEnvInput {
  readonly package: InstalledPackage;
  readonly baseImage: BaseImage;
  readonly environment: string;
  readonly runId: string;
}

/** The AMINATOR_* variables post-install scripts see. */
export function aminatorEnv(input: AminatorEnvInput): Record<string, string> {
  const { name, version, release, arch } = input.package;
  return {
    AMINATOR_PACKAGE: name,
    AMINATOR_VERSION: version,
    AMINATOR_RELEASE: release,
    AMINATOR_ARCH: arch,
    AMINATOR_APPVERSION: `${name}-${version}-${release}`,
    AMINATOR_BASE_AMI_ID: input.baseImage.id,
    AMINATOR_BASE_AMI_NAME: input.baseImage.name,
    AMINATOR_ENVIRONMENT: input.environment,
    AMINATOR_RUN_ID: input.runId,
  };
}
