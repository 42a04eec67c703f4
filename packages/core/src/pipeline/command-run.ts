import { EXIT_OK } from '../errors/exit-codes.js';
import type { CommandRunEnd, CommandRunSpec } from '../interfaces/plugin-command.js';
import type { StepSequence } from '../interfaces/step-sequence.js';
import { parseFailpoints } from './failpoints.js';
import type { RunOutcome } from './run-outcome.js';
import { StepRun, type StepRunOptions } from './step-run.js';

/** What the host adds to a plugin command's run: everything of a run but its steps and failpoints. */
export interface CommandRunOptions extends Omit<StepRunOptions, 'failpoints'> {
  /** `aminate <command>`, for the events. */
  readonly command: string;
  readonly preserveOnError: boolean;
  /** `AMINATOR_FAILPOINTS` as given; checked against the command's own steps. */
  readonly failpoints?: string;
}

/**
 * A plugin command's steps as a run (`PluginCommandContext.runSteps`): the same StepRun a bake is,
 * with the command's step names, and the `cleanup` step at the end so nothing it acquired outlives it.
 */
export async function runCommandSteps(
  options: CommandRunOptions,
  spec: CommandRunSpec,
  body: (run: StepSequence) => Promise<CommandRunEnd>,
): Promise<RunOutcome> {
  const dryRun = spec.dryRun === true;
  const steps = [...spec.steps.filter((step) => step !== 'cleanup'), 'cleanup'];
  const failpoints = parseFailpoints(options.failpoints, steps);
  return StepRun.execute(
    { ...options, failpoints },
    {
      kind: 'command',
      command: options.command,
      environment: '',
      package: '',
      image: spec.subject,
      steps: dryRun ? steps.filter((step) => step === 'plan') : steps,
      dryRun,
      preserveOnError: options.preserveOnError,
    },
    async (run) => {
      const end = await body(run);
      if (!dryRun) await run.cleanup();
      return {
        status: dryRun ? 'planned' : 'succeeded',
        image: end.image,
        lines: end.lines,
        planLines: end.planLines,
        cleanupErrors: [],
        kept: [],
        exitCode: EXIT_OK,
      };
    },
  );
}
