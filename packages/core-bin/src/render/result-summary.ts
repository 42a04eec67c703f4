import type { ErrorSummary, ResultEvent } from '@aminator/core/host';

function errorText(error: ErrorSummary): string {
  const step = error.step ? ` (step ${error.step})` : '';
  return [`error ${error.code}${step}: ${error.message}`, ...error.suggestions.map((s) => `  → ${s}`)].join('\n');
}

/** The closing lines of a bake for a person: the image, or the error, and what was kept. */
export function resultSummary(result: ResultEvent): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const seconds = (result.durationMs / 1000).toFixed(1);
  if (result.status === 'planned' && result.plan) {
    out.push(`dry run: nothing was changed. Plan:`, `  package: ${result.plan.spec.raw} (${result.plan.spec.source})`,
      `  base image: ${result.plan.baseImage.name} (${result.plan.baseImage.id})`, ...result.plan.lines.map((l) => `  ${l}`));
  }
  if (result.status === 'succeeded' && result.image) {
    const p = result.package;
    out.push(`baked ${result.image.name} (${result.image.id}) in ${seconds}s${p ? ` with ${p.name} ${p.version}-${p.release} ${p.arch}` : ''}`);
  }
  if (result.error) err.push(errorText(result.error));
  for (const e of result.cleanupErrors ?? []) err.push(`also: ${errorText(e)}`);
  if (result.kept && result.kept.length > 0) {
    err.push('kept for debugging (--preserve-on-error); remove them with, in this order:');
    for (const k of result.kept) {
      err.push(`  ${k.description}${k.manual.length > 0 ? `:  ${k.manual.map((m) => m.join(' ')).join(' && ')}` : ''}`);
    }
    err.push('  or run `aminate cleanup`');
  }
  const failed = result.status === 'failed' || result.status === 'interrupted';
  if (failed && !result.kept?.length && !result.cleanupErrors?.length) err.push('everything the bake acquired was cleaned up');
  return { out, err };
}
