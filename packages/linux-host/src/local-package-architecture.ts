import type { BakePlan, CommandRunner, PlanContext } from '@aminator/core';
import { requirePackageFitsImage } from './architecture.js';
import { type HostTool, requireHostTools } from './host-tools.js';

/** How a package format's own tool on the host reads a package file's architecture, and the names that run anywhere. */
export interface PackageArchitectureReader {
  readonly tool: HostTool;
  /** The tool's arguments to print the architecture of `file` (after `--`: a file name is never an option). */
  args(file: string): string[];
  /** `all`, `noarch`. */
  readonly neutral: readonly string[];
}

/**
 * A bake of a local package file: refuse it before any work when it is built for another
 * architecture than the base image's (read on the host, nothing installed); nothing is checked for a
 * repository package or a base image that does not say its architecture.
 */
export async function requireLocalPackageFitsBase(plan: BakePlan, reader: PackageArchitectureReader, commands: CommandRunner, ctx: PlanContext): Promise<void> {
  if (plan.spec.source !== 'file' || plan.baseImage.architecture === undefined) return;
  requireHostTools([reader.tool], { needsRoot: false });
  const { stdout } = await commands.run(reader.tool.command, reader.args(plan.spec.raw), { signal: ctx.signal, timeoutMs: 30_000 });
  requirePackageFitsImage(plan.spec.raw, stdout.trim(), plan.baseImage.architecture, reader.neutral);
}
