import type { ImageContents } from '@aminator/core';
import { type ErrorSummary, RETRYABLE_HINT, type ResultEvent } from '@aminator/core/host';

const NAMES_SHOWN = 6;

/** `packages: 97 (+3 hello libfoo1 libbar2, ~0, -0); SBOM: …/sbom.cdx.json, …/sbom.spdx.json` */
function contentsLine(contents: Exclude<ImageContents, { unavailable: string }>): string {
  if (!contents.delta) return `packages: ${contents.packages}; SBOM: ${contents.documents.map((d) => d.path).join(', ')}`;
  const { added, upgraded, removed } = contents.delta;
  const names = (list: ReadonlyArray<{ name: string }>): string =>
    list.length === 0
      ? ''
      : ` ${list
          .slice(0, NAMES_SHOWN)
          .map((p) => p.name)
          .join(' ')}${list.length > NAMES_SHOWN ? ' …' : ''}`;
  const delta = `+${added.length}${names(added)}, ~${upgraded.length}${names(upgraded)}, -${removed.length}${names(removed)}`;
  const files = contents.documents.map((d) => d.path).join(', ');
  return `packages: ${contents.packages} (${delta})${files ? `; SBOM: ${files}` : ''}`;
}

function errorText(error: ErrorSummary): string {
  const step = error.step ? ` (step ${error.step})` : '';
  const suggestions = [...error.suggestions, ...(error.retryable ? [RETRYABLE_HINT] : [])];
  return [`error ${error.code}${step}: ${error.message}`, ...suggestions.map((s) => `  → ${s}`)].join('\n');
}

/** The closing lines of a run (a bake, `verify`, `boot`, a plugin command's steps) for a person: the image, or the error, and what was kept. */
export function resultSummary(result: ResultEvent): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const seconds = (result.durationMs / 1000).toFixed(1);
  const plan = result.status === 'planned' ? result.plan : undefined;
  if (plan) {
    out.push(
      `dry run: nothing was changed. Plan:`,
      ...(plan.spec ? [`  package: ${plan.spec.raw} (${plan.spec.source})`] : []),
      ...(plan.baseImage ? [`  base image: ${plan.baseImage.name} (${plan.baseImage.id})`] : []),
      ...plan.lines.map((l) => `  ${l}`),
    );
  }
  if (result.status === 'succeeded' && result.image) {
    const p = result.package;
    const checks = result.verification ? `; ${result.verification.checks.length} checks passed` : '';
    const image = `${result.image.name} (${result.image.id})`;
    if (result.kind === 'bake') out.push(`baked ${image} in ${seconds}s${p ? ` with ${p.name} ${p.version}-${p.release} ${p.arch}` : ''}${checks}`);
    if (result.kind === 'bake' && result.image.contents) {
      const contents = result.image.contents;
      if ('unavailable' in contents) err.push(`warning: ${image} has no SBOM: ${contents.unavailable}`);
      else out.push(contentsLine(contents));
    }
    if (result.kind === 'verify') out.push(`verified ${image} in ${seconds}s${checks}`);
    if (result.kind === 'boot') out.push(`booted ${image}; the machine stopped after ${seconds}s and its copy was removed`);
  }
  if (result.status === 'succeeded' && result.kind === 'command')
    out.push(...(result.lines ?? []), `aminate ${result.command ?? 'command'} finished in ${seconds}s`);
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
  if (failed && !result.kept?.length && !result.cleanupErrors?.length)
    err.push(`everything the ${result.kind === 'bake' ? 'bake' : 'run'} acquired was cleaned up`);
  if (result.log) err.push(`full log: ${result.log}`);
  return { out, err };
}
