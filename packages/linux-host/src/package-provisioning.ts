import type { CommandRunner, InstalledPackage, PackageSpec, ProvisionInput, StepContext } from '@aminator/core';
import { aminatorEnv } from './aminator-env.js';
import { diskSpace, explainInstallFailure, type InstallDiagnostics, InstallWatch, scriptFailedError } from './install-diagnosis.js';
import { type StageOptions, stageInChroot } from './package-source.js';
import { runPostInstallScripts } from './post-install.js';

/** What differs between package managers; the flow around it is the same for apt and yum. */
export interface PackageManager {
  /** How its output shows a full disk's size, an unreachable repository, an unsatisfiable dependency. */
  readonly diagnostics: InstallDiagnostics;
  /** Refresh metadata before installing (apt-get update); may do nothing. Output lines go to `onLine`. */
  refresh(root: string, ctx: StepContext, onLine: (line: string) => void): Promise<void>;
  /** Install a repository name (optionally pinned) or a package file staged in the chroot. Output lines go to `onLine`. */
  install(root: string, target: string, ctx: StepContext, onLine: (line: string) => void): Promise<void>;
  /** The package name inside a staged package file. */
  nameOfFile(root: string, fileInChroot: string, ctx: StepContext): Promise<string>;
  /** Name, version, release and architecture as installed. */
  query(root: string, name: string, ctx: StepContext): Promise<InstalledPackage>;
  /** Drop caches so they do not bloat the image; may do nothing. */
  clean(root: string, ctx: StepContext): Promise<void>;
  /** When the output says only "no match" for a pinned target: whether its name alone exists (a missing version, then). */
  nameExists?(root: string, target: string, ctx: StepContext): Promise<boolean>;
}

export interface ProvisionSettings extends StageOptions {
  readonly postInstallDir: string;
}

/**
 * Stage the package if it is a file or URL, refresh, install, read back what was installed, clean,
 * then run the image's post-install scripts with the AMINATOR_* variables.
 */
export async function provisionWith(
  manager: PackageManager,
  commands: CommandRunner,
  input: ProvisionInput,
  settings: ProvisionSettings,
  ctx: StepContext,
): Promise<InstalledPackage> {
  const { root } = input.chroot;
  const target = input.spec.source === 'repository' ? input.spec.raw : await stageInChroot(input.spec, root, ctx, settings);
  const before = await diskSpace(root);
  const watch = new InstallWatch(manager.diagnostics);
  try {
    ctx.progress('refreshing package metadata');
    await manager.refresh(root, ctx, watch.onLine);
    ctx.progress(`installing ${describe(input.spec)}`);
    await manager.install(root, target, ctx, watch.onLine);
  } catch (error) {
    throw await explainInstallFailure(error, root, before, watch, manager.diagnostics, {
      target,
      nameExists: manager.nameExists ? () => (manager.nameExists as NonNullable<PackageManager['nameExists']>)(root, target, ctx) : undefined,
    });
  }
  // dnf reports a failed %post and exits 0: the package is half set up all the same.
  if (watch.scriptFailedIn) throw scriptFailedError(watch.scriptFailedIn, watch.text(), manager.diagnostics);
  // Reading back what was installed and cleaning the download cache touch different files (the
  // package database, the archive cache): side by side, one process's time less. Both are awaited
  // before either's failure is thrown, so nothing still runs in the chroot when the step unwinds.
  const readBack = async (): Promise<InstalledPackage> => {
    const name = input.spec.source === 'repository' ? (input.spec.name ?? input.spec.raw) : await manager.nameOfFile(root, target, ctx);
    return manager.query(root, name, ctx);
  };
  const [read, cleaned] = await Promise.allSettled([readBack(), manager.clean(root, ctx)]);
  if (read.status === 'rejected') throw read.reason;
  if (cleaned.status === 'rejected') throw cleaned.reason;
  const installed = read.value;
  const env = { ...input.chroot.env, ...aminatorEnv({ package: installed, baseImage: input.baseImage, environment: input.environment, runId: ctx.runId }) };
  await runPostInstallScripts(commands, root, settings.postInstallDir, env, ctx);
  return installed;
}

function describe(spec: PackageSpec): string {
  return spec.source === 'repository' ? spec.raw : `${spec.source} ${spec.raw}`;
}
