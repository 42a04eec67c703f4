import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CommandFailedError, ErrorCodes, ExecaCommandRunner, type Logger } from '../src/internal.js';

function runner(): { run: ExecaCommandRunner; logs: string[] } {
  const logs: string[] = [];
  const log: Logger = { debug: (m) => logs.push(m), info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };
  return { run: new ExecaCommandRunner(log), logs };
}

describe('ExecaCommandRunner (real processes)', () => {
  it('runs a file with an argument array, no shell: metacharacters stay literal', async () => {
    const { run } = runner();
    const result = await run.run('echo', ['a;b', '$(id)', '`x`', '*']);
    assert.equal(result.stdout, 'a;b $(id) `x` *');
    assert.equal(result.exitCode, 0);
  });

  it('fails with the exit code and the stderr tail', async () => {
    const { run } = runner();
    await assert.rejects(run.run('sh', ['-c', 'for i in $(seq 1 40); do echo line$i >&2; done; exit 3']), (error: CommandFailedError) => {
      assert.equal(error.code, ErrorCodes.COMMAND_FAILED);
      assert.equal(error.failure.exitCode, 3);
      assert.match(error.failure.stderrTail, /line40$/);
      assert.doesNotMatch(error.failure.stderrTail, /line20\n/);
      assert.match(error.message, /exited with code 3/);
      return true;
    });
  });

  it('accepts exit codes declared ok', async () => {
    const { run } = runner();
    const result = await run.run('sh', ['-c', 'exit 100'], { okExitCodes: [0, 100] });
    assert.equal(result.exitCode, 100);
  });

  it('kills a command at its timeout', async () => {
    const { run } = runner();
    const started = Date.now();
    await assert.rejects(run.run('sleep', ['10'], { timeoutMs: 200 }), { code: ErrorCodes.COMMAND_TIMEOUT });
    assert.ok(Date.now() - started < 5000);
  });

  it('stops a command when the bake is aborted', async () => {
    const { run } = runner();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(run.run('sleep', ['10'], { signal: controller.signal }), (e: CommandFailedError) => e.failure.aborted);
  });

  it('suggests installing a missing program', async () => {
    const { run } = runner();
    await assert.rejects(run.run('aminator-no-such-tool', []), (e: CommandFailedError) => e.suggestions.some((s) => s.includes('not installed')));
  });

  it('hides declared secrets in logs and errors', async () => {
    const { run, logs } = runner();
    await assert.rejects(
      run.run('sh', ['-c', 'echo "token s3cr3t-value" >&2; exit 1', 'x', 's3cr3t-value'], { secrets: ['s3cr3t-value'] }),
      (e: Error) => !e.message.includes('s3cr3t-value'),
    );
    assert.ok(logs.length > 0 && logs.every((l) => !l.includes('s3cr3t-value')));
  });

  it('streams output line by line', async () => {
    const { run } = runner();
    const lines: string[] = [];
    await run.run('printf', ['one\ntwo\nthree'], { onLine: (line) => lines.push(line) });
    assert.deepEqual(lines, ['one', 'two', 'three']);
  });
});
