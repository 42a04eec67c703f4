import { CommandFailedError, type CommandResult, type CommandRunner, type RunOptions } from '@aminator/core/internal';

export interface RecordedCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly options: RunOptions;
}

export interface ScriptedReply {
  readonly exitCode?: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

type Matcher = (command: RecordedCommand) => boolean;

/**
 * A CommandRunner for unit tests: records every command and answers from a script (exit 0 and no
 * output unless told otherwise). A reply with a non-ok exit code fails like the real runner.
 */
export class RecordingCommandRunner implements CommandRunner {
  readonly commands: RecordedCommand[] = [];
  private readonly replies: Array<{ matches: Matcher; reply: ScriptedReply | ((c: RecordedCommand) => ScriptedReply) }> = [];

  /** Answer commands whose file is `file` (and whose args start with `argsPrefix`). */
  on(file: string, argsPrefix: readonly string[], reply: ScriptedReply | ((c: RecordedCommand) => ScriptedReply)): this {
    this.replies.push({ matches: (c) => c.file === file && argsPrefix.every((a, i) => c.args[i] === a), reply });
    return this;
  }

  async run(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const command = { file, args: [...args], options };
    this.commands.push(command);
    const found = [...this.replies].reverse().find((r) => r.matches(command));
    const reply = typeof found?.reply === 'function' ? found.reply(command) : (found?.reply ?? {});
    const result: CommandResult = { file, args, exitCode: reply.exitCode ?? 0, stdout: reply.stdout ?? '', stderr: reply.stderr ?? '', durationMs: 0 };
    if (!(options.okExitCodes ?? [0]).includes(result.exitCode)) {
      throw new CommandFailedError({ file, args, exitCode: result.exitCode, timedOut: false, aborted: false, stderrTail: result.stderr, durationMs: 0 });
    }
    return result;
  }

  /** Every command as one line, for readable assertions. */
  lines(): string[] {
    return this.commands.map((c) => [c.file, ...c.args].join(' '));
  }
}
