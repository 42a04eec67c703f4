import { basename, dirname, join } from 'node:path';
import { type Leftover, type LeftoverContext, removeFileIfPresent } from '@aminator/core';
import { backingFileOf, isTailFromGoneNamespace, type LoopInfo, listLoops, loopLeftover, loopReads, withStackedLoops } from '@aminator/linux-host';
import { type LocalImageStore, runIdOf, stageLockName, VOLUME_ID, volumeLockName } from '@aminator/local-store';

/**
 * The local store's leftovers: loop devices over working volumes no live bake holds (and loops over
 * those loops: partitions reached at an offset), the volume files themselves, and staged images of
 * dead runs (and loops over their disks: a foundation build). A volume or staged image is held while
 * its lock's owner lives.
 */
export async function findStoreLeftovers(store: LocalImageStore, ctx: LeftoverContext): Promise<Leftover[]> {
  // Held while its lock's owner lives — or, seen from another lock directory, while the run its id names does.
  const held = async (lockName: string, id: string): Promise<boolean> => {
    const lock = await ctx.locks.inspect(lockName);
    return (lock !== undefined && !lock.stale) || ctx.runs.isAlive(runIdOf(id));
  };
  const volumes = [];
  for (const volume of await store.listVolumes()) if (!(await held(volumeLockName(volume.id), volume.id))) volumes.push(volume);
  const staged = [];
  for (const stage of await store.listStaged()) if (!(await held(stageLockName(stage.id), stage.id))) staged.push(stage);
  const abandonedFiles = new Set([...volumes.map((v) => v.path), ...staged.map((s) => join(s.dir, 'disk.raw'))]);
  const loops = await abandonedLoops(store, abandonedFiles, held);
  return [
    ...loops.map((loop) => loopLeftover(loop, `backed by ${loop.backFile}, which no running bake holds`, ctx.commands)),
    ...volumes.map(
      (v): Leftover => ({
        phase: 'volumes',
        kind: 'volume',
        id: v.path,
        reason: `working volume ${v.id} is held by no running bake`,
        reclaim: () => removeFileIfPresent(v.path),
      }),
    ),
    ...staged.map(
      (s): Leftover => ({
        phase: 'files',
        kind: 'staged-image',
        id: s.dir,
        reason: `unfinished image ${s.id} is held by no running bake`,
        reclaim: () => store.discard(s.dir),
      }),
    ),
  ];
}

/** Loops over abandoned volume files (also deleted ones), then loops over those, outermost first. */
async function abandonedLoops(store: LocalImageStore, files: Set<string>, held: (lock: string, id: string) => Promise<boolean>): Promise<LoopInfo[]> {
  const all = await listLoops();
  const direct: LoopInfo[] = [];
  for (const loop of all) {
    if ([...files].some((file) => loopReads(loop, file))) {
      direct.push(loop);
      continue;
    }
    const id = volumeIdOf(store, backingFileOf(loop), loop);
    if (id && !(await held(volumeLockName(id), id))) direct.push(loop);
  }
  return withStackedLoops(all, direct);
}

/**
 * The working volume a loop's backing file is, when the kernel names it in a form no listing of the
 * volumes directory shows: a file deleted since (`… (deleted)`), or one attached in a container that
 * is gone — the kernel then names it from the mount it came through (`/store/volumes/vol-….raw` for a
 * store bind-mounted from above), a tail of the store's own path that is no file here.
 */
function volumeIdOf(store: LocalImageStore, file: string, loop: LoopInfo): string | undefined {
  const name = basename(file);
  const id = name.endsWith('.raw') ? name.slice(0, -'.raw'.length) : '';
  if (!VOLUME_ID.test(id)) return undefined;
  if (dirname(file) === store.volumesDir) return file !== loop.backFile ? id : undefined;
  return isTailFromGoneNamespace(file, join(store.volumesDir, name)) ? id : undefined;
}
