import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';
import { EXIT_USAGE } from './exit-codes.js';

export interface ConfigErrorLocation {
  /** The file (or `flag --x`, `defaults`) the offending value came from. */
  readonly source?: string;
  /** Dotted key path, e.g. `provisioner.apt.retries`. */
  readonly keyPath?: string;
  /** `kind/name` of the plugin whose section is wrong, or `core`. */
  readonly plugin?: string;
}

/** A config file that cannot be read or does not validate: exit 2. */
export class ConfigError extends AminatorError {
  readonly location: ConfigErrorLocation;

  constructor(message: string, location: ConfigErrorLocation, options: { code?: string; suggestions?: readonly string[]; cause?: unknown } = {}) {
    super(message, { code: options.code ?? ErrorCodes.CONFIG_INVALID, exitCode: EXIT_USAGE, suggestions: options.suggestions, cause: options.cause });
    this.location = location;
  }
}
