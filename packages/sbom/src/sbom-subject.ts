import { readFileSync } from 'node:fs';

/** The image an SBOM describes. */
export interface SbomSubject {
  readonly imageId: string;
  readonly imageName: string;
  /** When the image was made (ISO 8601); `SOURCE_DATE_EPOCH` replaces it in the documents when set. */
  readonly createdAt: string;
}

let ownVersion: string | undefined;

/** The version the documents name their creator by (`aminate` at this library's version: it writes them). */
export function toolVersion(): string {
  ownVersion ??= String(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  return ownVersion;
}

/**
 * The documents' time: `SOURCE_DATE_EPOCH` (seconds) when the environment sets it — two bakes of the same
 * package on the same base then write the same documents but for the image's id — else the image's time.
 */
export function documentTime(subject: SbomSubject, env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d{1,12}$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return new Date(subject.createdAt);
}
