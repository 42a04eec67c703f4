import { AminatorError } from './aminator-error.js';
import { ErrorCodes } from './error-codes.js';
import { EXIT_USAGE } from './exit-codes.js';

/** Loading phases, in order; each failure has its own code. */
export const LOAD_PHASES = ['resolve', 'manifest', 'peer', 'import', 'shape', 'api-version', 'register'] as const;
export type LoadPhase = (typeof LOAD_PHASES)[number];

export const PHASE_CODES: Readonly<Record<LoadPhase, string>> = {
  resolve: ErrorCodes.PLUGIN_NOT_FOUND,
  manifest: ErrorCodes.PLUGIN_MANIFEST,
  peer: ErrorCodes.PLUGIN_DUPLICATE_CORE,
  import: ErrorCodes.PLUGIN_IMPORT,
  shape: ErrorCodes.PLUGIN_SHAPE,
  'api-version': ErrorCodes.PLUGIN_API_VERSION,
  register: ErrorCodes.PLUGIN_REGISTER,
};

/** A plugin that cannot be used. Selected by the environment: exit 2; otherwise a warning. */
export class PluginLoadError extends AminatorError {
  readonly phase: LoadPhase;
  readonly plugin: string;

  constructor(phase: LoadPhase, plugin: string, message: string, options: { code?: string; suggestions?: readonly string[]; cause?: unknown } = {}) {
    super(`plugin ${plugin}: ${message}`, {
      code: options.code ?? PHASE_CODES[phase],
      exitCode: EXIT_USAGE,
      suggestions: options.suggestions,
      cause: options.cause,
    });
    this.phase = phase;
    this.plugin = plugin;
  }
}
