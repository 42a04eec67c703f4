import type { PortForward } from '../interfaces/verifier.js';

/** One bake, as the CLI (or an embedding program) asks for it. */
export interface BakeRequest {
  /** The package spec as given: a name, `name=version`, a local file, or a URL. */
  readonly packageSpec: string;
  /** `--base-image`: an image id or name. */
  readonly baseImageRef?: string;
  readonly environment: string;
  readonly dryRun: boolean;
  readonly preserveOnError: boolean;
}

/** `aminate verify`: run the environment's verifier on an image that exists already. */
export interface VerifyRequest {
  /** The image's id or name, resolved by the cloud as a base image would be. */
  readonly imageRef: string;
  readonly environment: string;
  /** The cloud plugin's name, for the image's `cloud` field. */
  readonly cloud: string;
  readonly dryRun: boolean;
  readonly preserveOnError: boolean;
}

/** `aminate boot`: boot an image that exists for a person, its console on this terminal. */
export interface BootRequest extends VerifyRequest {
  readonly forwards: readonly PortForward[];
}
