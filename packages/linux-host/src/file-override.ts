import { lstat, rename, unlink } from 'node:fs/promises';
import { createExclusive, readFileNoFollow, type StepContext } from '@aminator/core';
import { pathInside } from './safe-path.js';

export interface OverrideOptions {
  readonly mode: number;
  /** The file may be a symlink (resolv.conf often is); it is moved aside, never written through. */
  readonly leafMayBeLink?: boolean;
}

/**
 * Put `content` at `inside` in the chroot for the duration of the bake: the original (file or link)
 * is renamed aside and restored by the undo. If a package replaced our file meanwhile, the package's
 * file is kept and the saved original dropped — never delete what the image now legitimately holds.
 */
export async function overrideFile(root: string, inside: string, content: string, options: OverrideOptions, ctx: StepContext): Promise<void> {
  const target = pathInside(root, inside, { leafMayBeLink: options.leafMayBeLink });
  const saved = `${target}.aminator-${ctx.runId}`;
  const hadOriginal = (await lstat(target).catch(() => undefined)) !== undefined;
  if (hadOriginal) await rename(target, saved);
  try {
    const file = await createExclusive(target, options.mode);
    try {
      await file.writeFile(content);
      await file.chmod(options.mode);
    } finally {
      await file.close();
    }
  } catch (error) {
    if (hadOriginal) await rename(saved, target);
    throw error;
  }
  ctx.cleanup.push({
    description: `restore ${target}`,
    resource: { kind: 'file', id: target },
    manual: hadOriginal ? [['mv', saved, target]] : [['rm', '-f', target]],
    undo: () => restore(target, saved, content, hadOriginal),
  });
}

async function restore(target: string, saved: string, ours: string, hadOriginal: boolean): Promise<void> {
  const current = await readFileNoFollow(target).catch(() => undefined);
  const stillOurs = current === ours;
  if (stillOurs) await unlink(target);
  if (!hadOriginal) return;
  if (stillOurs || current === undefined) await rename(saved, target);
  else await unlink(saved);
}
