import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bakeSteps } from '@aminator/core/internal';

/** The matrix covers the steps of a bake without --verify (a verify boot per cell would take hours under TCG). */
const STEPS = bakeSteps({ verify: false });

import { type CliOptions, type CliResult, jsonLines, ROOT_ONLY } from '@aminator/testkit';

export const FAULTS = ['error', 'sigint', 'sigterm', 'sighup', 'sigkill'] as const;
export type Fault = (typeof FAULTS)[number];

/** The documented exit code of a bake stopped by each fault (kill -9: the shell's 128 + 9). */
const EXPECTED_EXIT: Record<Exclude<Fault, 'sigkill'>, number> = { error: 1, sigint: 130, sigterm: 130, sighup: 130 };

export interface MatrixCloud {
  readonly name: string;
  bake(suffix: string, options: CliOptions): Promise<CliResult>;
  cleanup(): Promise<CliResult>;
  /** Ids of the images made by bakes so far. */
  images(): string[] | Promise<string[]>;
  /** Everything of the bake is gone (only `kept` images may remain). */
  assertNothingLeft(kept: readonly string[]): void;
}

/** One cell: bake with `AMINATOR_FAILPOINTS=step:fault`, check the exit and the error's step, then that nothing is left. */
export async function runCell(cloud: MatrixCloud, step: string, fault: Fault, kept: string[]): Promise<string> {
  const before = new Set(await cloud.images());
  const result = await cloud.bake(`${step}-${fault}`, { env: { AMINATOR_FAILPOINTS: `${step}:${fault}` } });
  const events = jsonLines(result.stdout);
  let text: string;
  if (fault === 'sigkill') {
    assert.equal(result.signal, 'SIGKILL', `killed by SIGKILL (got code ${result.code})`);
    assert.equal(events.filter((e) => e.type === 'step-start').at(-1)?.step, step, 'it died in the step');
    const swept = await cloud.cleanup();
    assert.equal(swept.code, 0, swept.stderr + swept.stdout);
    const summary = jsonLines(swept.stdout).at(-1) ?? {};
    text = `137 → cleanup: ${summary.reclaimed} reclaimed`;
  } else {
    const last = events.at(-1) ?? {};
    assert.equal(result.code, EXPECTED_EXIT[fault], result.stderr + result.stdout.slice(-2000));
    assert.equal(last.type, 'result');
    assert.equal(last.error?.step, step, `the error names the step: ${JSON.stringify(last.error)}`);
    text = `${result.code} ✓`;
  }
  const made = (await cloud.images()).filter((id) => !before.has(id));
  // Killed at the start of the last step, the bake had finished its image: it is complete and kept.
  const completeImageExpected = fault === 'sigkill' && step === 'cleanup';
  assert.equal(made.length, completeImageExpected ? 1 : 0, `images made: ${made.join(', ')}`);
  kept.push(...made);
  cloud.assertNothingLeft(kept);
  return completeImageExpected ? `${text}, image kept` : text;
}

/** The matrix as a Markdown table with the counts, for the test output and docs/RELIABILITY.md. */
export function matrixTable(cloud: string, cells: ReadonlyMap<string, string>, faults: readonly Fault[] = FAULTS, steps: readonly string[] = STEPS): string {
  const header = `| ${cloud}: step | ${faults.map((f) => (f === 'sigkill' ? 'kill -9 + cleanup' : f)).join(' | ')} |`;
  const rule = `|${' --- |'.repeat(faults.length + 1)}`;
  const rows = steps.map((step) => `| ${step} | ${faults.map((f) => cells.get(`${step}:${f}`) ?? 'not run').join(' | ')} |`);
  const failed = [...cells.values()].filter((c) => c.startsWith('FAIL')).length;
  const total = steps.length * faults.length;
  return [header, rule, ...rows, '', `${cloud}: ${cells.size - failed} of ${total} cells passed, ${failed} failed, ${total - cells.size} not run`].join('\n');
}

/**
 * A matrix of tests, one per step × fault, on a cloud `open` makes; the table is printed at the end.
 * `faults` narrows the columns (SIGHUP takes SIGTERM's path in core; the local and EC2 matrices show both),
 * `steps` the rows (a cloud whose plugins differ from another's only in some steps).
 */
export function describeFaultMatrix(
  title: string,
  cloudName: string,
  open: () => Promise<{ cloud: MatrixCloud; close: () => void | Promise<void> }>,
  faults: readonly Fault[] = FAULTS,
  steps: readonly string[] = STEPS,
): void {
  describe(title, ROOT_ONLY, () => {
    let opened: Awaited<ReturnType<typeof open>>;
    const cells = new Map<string, string>();
    const kept: string[] = [];
    before(async () => {
      opened = await open();
    });
    after(async () => {
      const table = matrixTable(cloudName, cells, faults, steps);
      console.log(`\n${table}\n`);
      // docs/RELIABILITY.md is made from this: AMINATOR_MATRIX_DIR=DIR npm test
      if (process.env.AMINATOR_MATRIX_DIR) writeFileSync(join(process.env.AMINATOR_MATRIX_DIR, `fault-matrix-${cloudName}.md`), `${table}\n`);
      await opened?.close();
    });
    for (const step of steps) {
      for (const fault of faults) {
        it(`${step} × ${fault}`, async () => {
          try {
            cells.set(`${step}:${fault}`, await runCell(opened.cloud, step, fault, kept));
          } catch (error) {
            cells.set(`${step}:${fault}`, 'FAIL');
            throw error;
          }
        });
      }
    }
  });
}
