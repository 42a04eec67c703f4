import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type CommandFailedError, ErrorCodes, type Logger, ProcessCommandRunner } from '../src/internal.js';

function runner(): { run: ProcessCommandRunner; logs: string[] } {
  const logs: string[] = [];
  const log: Logger = { debug: (m) => logs.push(m), info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };
  return { run: new ProcessCommandRunner(log), logs };
}

describe('ProcessCommandRunner (real processes)', () => {
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

  it('passes input on stdin and returns stdout without its final newline', async () => {
    const { run } = runner();
    const result = await run.run('cat', [], { input: 'first\nsecond\n' });
    assert.equal(result.stdout, 'first\nsecond');
  });

  it('replaces the environment with extendEnv false and adds to it otherwise', async () => {
    const { run } = runner();
    process.env.AMINATOR_RUNNER_TEST = 'inherited';
    try {
      const only = await run.run('env', [], { extendEnv: false, env: { ONLY: '1' } });
      assert.deepEqual(only.stdout.split('\n'), ['ONLY=1']);
      const added = await run.run('env', [], { env: { ADDED: '2' } });
      assert.match(added.stdout, /^AMINATOR_RUNNER_TEST=inherited$/m);
      assert.match(added.stdout, /^ADDED=2$/m);
    } finally {
      delete process.env.AMINATOR_RUNNER_TEST;
    }
  });

  it('keeps characters split across reads whole, in lines and in stdout', async () => {
    const { run } = runner();
    const lines: string[] = [];
    // Two writes with a pause between: the two bytes of "é" arrive in separate reads.
    const result = await run.run('sh', ['-c', "printf 'caf\\303'; sleep 0.2; printf '\\251\\nend'"], { onLine: (line) => lines.push(line) });
    assert.equal(result.stdout, 'café\nend');
    assert.deepEqual(lines, ['café', 'end']);
  });

  it('does not start a command when the bake is already aborted', async () => {
    const { run } = runner();
    const controller = new AbortController();
    controller.abort();
    const marker = `/tmp/aminator-runner-${process.pid}-${Date.now()}`;
    await assert.rejects(run.run('touch', [marker], { signal: controller.signal }), (e: CommandFailedError) => e.failure.aborted);
    assert.equal(existsSync(marker), false);
  });

  it('kills a command that ignores SIGTERM once the grace is over, and says it was stopped', async () => {
    const { run } = runner();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await assert.rejects(run.run('sh', ['-c', "trap '' TERM; while :; do sleep 0.1; done"], { signal: controller.signal }), (e: CommandFailedError) => {
      assert.equal(e.failure.aborted, true);
      assert.equal(e.failure.signal, 'SIGKILL');
      return true;
    });
    assert.ok(Date.now() - started < 10_000);
  });

  it('a spawn failure carries no exit code of its own', async () => {
    const { run } = runner();
    await assert.rejects(run.run('aminator-no-such-tool', []), (e: CommandFailedError) => {
      assert.equal(e.failure.exitCode, undefined);
      assert.match(e.failure.stderrTail, /could not start \(ENOENT\)/);
      return true;
    });
  });

  it('stops children still running when the process exits', async () => {
    const marker = `/tmp/aminator-runner-exit-${process.pid}-${Date.now()}`;
    const internal = new URL('../src/internal.js', import.meta.url).href;
    // A child Node process starts `sleep` through the runner, then exits without waiting for it.
    const script = `
      const { ProcessCommandRunner } = await import(${JSON.stringify(internal)});
      const log = { debug() {}, info() {}, warn() {}, error() {} };
      new ProcessCommandRunner(log).run('sh', ['-c', 'echo $$ > ${marker}; exec sleep 30']).catch(() => {});
      setTimeout(() => process.exit(0), 300);`;
    const parent = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(parent.status, 0, parent.stderr);
    const pid = Number(readFileSync(marker, 'utf8'));
    unlinkSync(marker);
    await waitUntilGone(pid);
  });
});

async function waitUntilGone(pid: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    // A killed orphan may linger as a zombie until init reaps it: that counts as gone.
    const state = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] : undefined;
    if (state === undefined || state === 'Z') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(pid, 'SIGKILL');
  assert.fail(`process ${pid} outlived the runner's process`);
}
