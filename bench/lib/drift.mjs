// The drift check the benches share: today's figures (ratios, so a faster or slower machine does
// not matter) against those committed in bench/baseline.json, failing past each bench's margin.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASELINE_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'baseline.json');

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `--check` compares with the baseline, `--record` writes today's figures into it; positional arguments stay. */
export function driftMode(argv) {
  return {
    check: argv.includes('--check'),
    record: argv.includes('--record'),
    positional: argv.filter((arg) => !arg.startsWith('--')),
  };
}

/**
 * Compare `figures` (name → ratio, lower is better) with the baseline of `bench`; prints one line per
 * figure and returns whether all are within the margin. A figure the baseline lacks fails: record it.
 */
export function checkDrift(bench, figures) {
  const baseline = JSON.parse(readFileSync(BASELINE_FILE, 'utf8'))[bench];
  if (!baseline) throw new Error(`bench/baseline.json has no "${bench}": run the bench with --record first`);
  let ok = true;
  console.log(`\ndrift check of ${bench} (ratios; fails above baseline × ${1 + baseline.margin} unless the figure has a margin of its own)`);
  console.log('| figure | baseline | today | limit | |');
  console.log('|---|---|---|---|---|');
  for (const [name, today] of Object.entries(figures)) {
    const base = baseline.figures[name];
    const limit = base === undefined ? undefined : base * (1 + marginOf(baseline, name));
    const pass = limit !== undefined && today <= limit;
    ok &&= pass;
    console.log(`| ${name} | ${base?.toFixed(3) ?? '—'} | ${today.toFixed(3)} | ${limit?.toFixed(3) ?? '—'} | ${pass ? 'ok' : 'DRIFTED'} |`);
  }
  return ok;
}

/** A figure's own margin (`margins` in the file: a noisier figure gets a wider one), else its bench's. */
function marginOf(baseline, name) {
  return baseline.margins?.[name] ?? baseline.margin;
}

/** Write today's figures as the new baseline of `bench` (its margins stay; `margins` seeds per-figure ones the file lacks). */
export function recordBaseline(bench, figures, margin, margins = {}) {
  const all = JSON.parse(readFileSync(BASELINE_FILE, 'utf8'));
  const rounded = Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, Number(value.toFixed(3))]));
  const own = { ...margins, ...all[bench]?.margins };
  all[bench] = {
    margin: all[bench]?.margin ?? margin,
    ...(Object.keys(own).length > 0 ? { margins: own } : {}),
    recorded: new Date().toISOString().slice(0, 10),
    figures: rounded,
  };
  writeFileSync(BASELINE_FILE, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`recorded ${bench} in ${BASELINE_FILE}`);
}

/** Run `check`/`record` as the flags say; exits 1 when the check fails. */
export function finishDrift(mode, bench, figures, defaultMargin, figureMargins) {
  if (mode.record) recordBaseline(bench, figures, defaultMargin, figureMargins);
  if (mode.check && !checkDrift(bench, figures)) {
    console.log(
      `\n${bench} drifted past its margin: find what slowed it (docs/PERFORMANCE.md says how) or, if the cost is meant, record a new baseline with --record and say why in the commit`,
    );
    process.exitCode = 1;
  }
}
