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
