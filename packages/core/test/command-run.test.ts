import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type CommandRunOptions, EXIT_INTERRUPTED, FileLockManager, InterruptedError, type RunEvent, runCommandSteps, UsageError } from '../src/internal.js';

describe("a plugin command's steps run as a bake's (runCommandSteps)", () => {
  const scratch = mkdtempSync(join(tmpdir(), 'aminator-command-run-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  let n = 0;

  function setup(extra: Partial<CommandRunOptions> = {}) {
    const dir = join(scratch, String(++n));
    const events: RunEvent[] = [];
    const controller = new AbortController();
    const runId = `run-${n}`;
    const options: CommandRunOptions = {
      runId,
      command: 'forge',
      signal: controller.signal,
      events: { emit: (e) => events.push(e) },
      locks: new FileLockManager(join(dir, 'locks'), runId),
      workRoot: join(dir, 'work'),
      abortGraceMs: 200,
      preserveOnError: false,
      ...extra,
    };
    const of = <T extends RunEvent['type']>(type: T) => events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
    return { dir, events, of, controller, options };
  }

  it('announces the steps with `cleanup` added, frames the run, undoes in the cleanup step and reports the lines', async () => {
    const { dir, of, options } = setup();
    const undone: string[] = [];
    const outcome = await runCommandSteps(options, { steps: ['plan', 'forge'], subject: 'sword' }, async (run) => {
      await run.step('plan', async () => undefined);
      await run.step('forge', async (ctx) => {
        const workDir = await run.frame(ctx);
        assert.equal(workDir, ctx.workDir);
        assert.ok(existsSync(workDir));
        ctx.cleanup.push({ description: 'cool the anvil', resource: { kind: 'anvil', id: 'a1' }, undo: async () => void undone.push('anvil') });
      });
      return { lines: ['forged sword'] };
    });
    assert.equal(outcome.status, 'succeeded');
    assert.equal(outcome.exitCode, 0);
    const start = of('run-start')[0];
    assert.deepEqual([start?.kind, start?.command, start?.image, start?.environment], ['command', 'forge', 'sword', '']);
    assert.deepEqual(start?.steps, ['plan', 'forge', 'cleanup']);
    assert.deepEqual(
      of('step-end').map((e) => `${e.step} ${e.status}`),
      ['plan succeeded', 'forge succeeded', 'cleanup succeeded'],
    );
    assert.deepEqual(undone, ['anvil']);
    assert.ok(of('resource').some((e) => e.action === 'acquired' && e.resource.kind === 'anvil' && e.step === 'forge'));
    const result = of('result')[0];
    assert.deepEqual([result?.kind, result?.command, result?.status, result?.lines], ['command', 'forge', 'succeeded', ['forged sword']]);
    assert.deepEqual(readdirSync(join(dir, 'work')), [], 'work directory removed');
    assert.deepEqual(readdirSync(join(dir, 'locks')), [], 'run lock released');
  });

  it("fires a failpoint at one of the command's steps and refuses one that names none of them", async () => {
    const { of, options } = setup({ failpoints: 'forge:error' });
    const undone: string[] = [];
    const outcome = await runCommandSteps(options, { steps: ['plan', 'heat', 'forge'], subject: 'sword' }, async (run) => {
      await run.step('heat', async (ctx) => ctx.cleanup.push({ description: 'let the fire die', undo: async () => void undone.push('fire') }));
      await run.step('forge', async () => assert.fail('the failpoint fires before the step'));
      return {};
    });
    assert.equal(outcome.status, 'failed');
    assert.equal((outcome.error as { code?: string }).code, 'E_FAILPOINT');
    assert.deepEqual(undone, ['fire']);
    assert.equal(of('result')[0]?.error?.step, 'forge');

    const typo = setup({ failpoints: 'provision:error' });
    await assert.rejects(
      runCommandSteps(typo.options, { steps: ['plan', 'forge'], subject: 'sword' }, async () => ({})),
      (error: unknown) =>
        error instanceof UsageError && /unknown step "provision"/.test(error.message) && /plan, forge, cleanup/.test(error.suggestions.join()),
    );
    assert.deepEqual(typo.events, []);
  });

  it('an interruption during a step ends the run as interrupted (exit 130) with everything undone', async () => {
    const { of, controller, options } = setup();
    const undone: string[] = [];
    const outcome = await runCommandSteps(options, { steps: ['forge'], subject: 'sword' }, async (run) => {
      await run.step('forge', async (ctx) => {
        ctx.cleanup.push({ description: 'cool the anvil', undo: async () => void undone.push('anvil') });
        controller.abort(new InterruptedError('SIGINT'));
        await new Promise((_resolve, reject) => setImmediate(() => reject(ctx.signal.reason)));
      });
      return {};
    });
    assert.equal(outcome.status, 'interrupted');
    assert.equal(outcome.exitCode, EXIT_INTERRUPTED);
    assert.deepEqual(undone, ['anvil']);
    assert.deepEqual(
      of('step-end').map((e) => `${e.step} ${e.status}`),
      ['forge interrupted'],
    );
  });

  it('a dry run announces `plan` only and takes no cleanup step', async () => {
    const { of, options } = setup();
    const outcome = await runCommandSteps(options, { steps: ['plan', 'forge'], subject: 'sword', dryRun: true }, async (run) => ({
      planLines: await run.step('plan', async (ctx) => {
        assert.equal(ctx.dryRun, true);
        return ['would forge a sword'];
      }),
    }));
    assert.equal(outcome.status, 'planned');
    assert.deepEqual(of('run-start')[0]?.steps, ['plan']);
    assert.deepEqual(of('result')[0]?.plan?.lines, ['would forge a sword']);
    assert.deepEqual(
      of('step-end').map((e) => e.step),
      ['plan'],
    );
  });
});
