import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AminatorError,
  type BootDiskLayout,
  type CommandRunner,
  createExclusive,
  EXIT_USAGE,
  type FoundationPlan,
  inventoryOrReason,
  type PluginCommandContext,
  type RunOutcome,
  type StepContext,
} from '@aminator/core';
import {
  attachLoopForStep,
  filesystemUuid,
  Mounter,
  mountChrootFilesystems,
  partitionByteRange,
  readPartitionTable,
  requireHostTools,
  trimFileSystem,
  writeFileInside,
} from '@aminator/linux-host';
import type { ImageManifest } from '@aminator/local-store';
import { formatSize, LocalErrorCodes, type LocalImageStore, manifestContents, newImageId } from '@aminator/local-store';
import { recordImageSbom } from '@aminator/sbom';
import { checkBootableDisk, type FoundationOptions, foundationTools } from './foundation-options.js';

const FIRST_SECTOR = 2048;
/** How long a busy mount of the foundation build is retried before its holders are named. */
const UNMOUNT_RETRY_MS = 15_000;

/** The steps of `aminate foundation`, in order (core adds `cleanup`); failpoints may name them. */
export function foundationSteps(bootable: boolean): string[] {
  return ['plan', 'create-disk', 'partition', 'install', 'configure', ...(bootable ? ['boot-loader'] : []), 'teardown', 'publish'];
}

/**
 * A base image from nothing, as a run of named steps like a bake's (events, run lock, private work
 * directory, failpoints, one cleanup stack): plan (name, host tools, the OS plugin's plan),
 * create-disk (a sparse file in a staged image), partition (bootable: the OS's boot layout; minimal:
 * one root partition, or a bare file system) and format, install (the OS plugin: debootstrap, dnf
 * --installroot), configure (fstab by UUID, hostname; the OS's own files), boot-loader (the OS's),
 * teardown (the root's free blocks trimmed out of the disk file, everything mounted or attached
 * released), publish (atomically, in the store). The
 * disk and the store are this builder's; what goes on the disk is the OS plugin's.
 */
export async function buildFoundation(
  options: FoundationOptions,
  os: FoundationPlan,
  store: LocalImageStore,
  ctx: PluginCommandContext,
  dryRun = false,
): Promise<RunOutcome> {
  const boot = options.minimal ? undefined : os.boot;
  const firmware = boot ? [boot.firmware.bios ? 'BIOS' : '', boot.firmware.uefi ? 'UEFI' : ''].filter(Boolean).join(' and ') : '';
  const arch = options.architecture.machine;
  const layout = `${arch}, ${formatSize(options.sizeBytes)} ${options.fs}, ${options.partitionTable}${boot ? `, bootable (${firmware})` : ', minimal'}`;
  return ctx.runSteps({ steps: foundationSteps(boot !== undefined), subject: options.name, dryRun }, async (run) => {
    const planLines = await run.step('plan', async (step) => {
      checkBootableDisk(options, boot !== undefined);
      // The OS plugin's tools first: what installs the OS (debootstrap, dnf) is the one a new host lacks.
      await os.preflight(step);
      requireHostTools(foundationTools(options, boot !== undefined), { needsRoot: !dryRun });
      for (const warning of os.warnings) step.log.warn(warning);
      const existing = await store.find(options.name);
      if (existing && !options.force) {
        throw new AminatorError(`an image named "${options.name}" already exists (${existing.id})`, {
          code: LocalErrorCodes.IMAGE_EXISTS,
          exitCode: EXIT_USAGE,
          suggestions: ['pick another --name, or pass --force to replace it'],
        });
      }
      return [
        `image: ${options.name}: ${os.family} ${os.release}, ${layout}`,
        ...os.lines,
        `store: ${store.dir}${existing ? ` (replaces ${existing.id})` : ''}`,
      ];
    });
    if (dryRun) return { planLines };
    const { id, staged, disk } = await run.step('create-disk', async (step) => {
      // The frame first: a run lock (so `aminate cleanup` finds the mounts, debootstrap, the loop
      // devices and the staged image of a killed build as a bake's) and a work directory below a
      // work root that must be private — the install mounts there.
      await run.frame(step);
      await store.ensure();
      const id = newImageId(run.runId);
      const stage = await store.stage(id, ctx.locks);
      step.cleanup.push({ description: `release the stage lock of ${id}`, undo: () => stage.release() });
      step.cleanup.push({
        description: `remove unfinished image ${stage.dir}`,
        resource: { kind: 'staged-image', id: stage.dir },
        manual: [['rm', '-r', stage.dir]],
        undo: () => store.discard(stage.dir),
      });
      const disk = join(stage.dir, 'disk.raw');
      const file = await createExclusive(disk, 0o644);
      await file.truncate(options.sizeBytes);
      await file.close();
      return { id, staged: stage.dir, disk };
    });
    const held = run.mark();
    const { loop, uuid } = await run.step('partition', (step) => partitionAndFormat(disk, options, boot?.layout, ctx.commands, step));
    const root = await run.step('install', async (step) => {
      const root = await mountAt(loop, ctx.commands, step);
      step.progress(`installing ${os.family} ${os.release}`);
      await os.install(root, step);
      return root;
    });
    const { architecture } = await run.step('configure', async (step) => {
      await configure(root, uuid, options);
      const installed = await os.configure(root, step);
      if (installed.architecture !== arch) {
        throw new AminatorError(`the installed ${os.family} reports architecture ${installed.architecture}, not the ${arch} asked for`, {
          code: LocalErrorCodes.FOUNDATION_FAILED,
          suggestions: [`the os plugin ${options.os} ignored --arch: report it to its authors`],
        });
      }
      return installed;
    });
    if (boot) {
      await run.step('boot-loader', async (step) => {
        for (const [inside, content] of Object.entries(boot.files)) await writeFileInside(root, inside, content, 0o644);
        // A chroot whose private /dev shows the root partition and the whole disk, nothing else of the host:
        // the boot loader names the root by UUID and can only write this disk.
        const diskDevice = await attachLoopForStep(ctx.commands, disk, step);
        await mountChrootFilesystems(root, new Mounter(ctx.commands), step, {
          unmountRetryMs: UNMOUNT_RETRY_MS,
          blockDevices: [loop, diskDevice],
          commands: ctx.commands,
        });
        await boot.installBootLoader({ root, rootUuid: uuid, diskDevice, diskFile: disk }, step);
      });
    }
    // The package list is read while the root is still mounted; its documents are written with the manifest.
    const inventory = await run.step('teardown', async (step) => {
      const { inventory } = os;
      const read = inventory ? await inventoryOrReason(() => inventory(root, step), step.log) : undefined;
      await trimFileSystem(ctx.commands, root, step.log, step.signal);
      await run.release(held);
      return typeof read === 'string' || read === undefined ? read : { image: read };
    });
    const createdAt = new Date().toISOString();
    const manifest = await run.step('publish', async (step) => {
      const contents = await recordImageSbom(staged, inventory, { imageId: id, imageName: options.name, createdAt }, step.log);
      const manifest: ImageManifest = {
        id,
        name: options.name,
        description: `${os.family} ${os.release} ${arch} foundation image (${options.fs}, ${options.partitionTable}${boot ? `, bootable: ${firmware}` : ''})`,
        tags: { foundation: 'true', os: os.family, release: os.release },
        createdAt,
        sizeBytes: options.sizeBytes,
        architecture,
        os: { family: os.family, release: os.release },
        layout: { partitionTable: options.partitionTable, rootPartition: options.partitionTable === 'gpt' ? 1 : undefined, fsType: options.fs },
        boot: boot ? { ...boot.firmware } : undefined,
        warnings: os.warnings.length > 0 ? [...os.warnings] : undefined,
        contents: manifestContents(contents),
      };
      await store.publish(staged, manifest, ctx.locks, { replace: options.force });
      return manifest;
    });
    return {
      image: { id, name: options.name, cloud: 'local', region: store.dir, tags: manifest.tags },
      lines: [`registered ${options.name} (${id}) in ${store.dir}: ${layout}`],
    };
  });
}

/** The partition table (GPT), a loop device over the root partition (or the whole disk) and its file system. */
async function partitionAndFormat(
  disk: string,
  options: FoundationOptions,
  bootLayout: BootDiskLayout | undefined,
  commands: CommandRunner,
  ctx: StepContext,
): Promise<{ loop: string; uuid: string }> {
  let range = { offsetBytes: 0, sizeBytes: options.sizeBytes };
  if (options.partitionTable === 'gpt') {
    const script = bootLayout ? bootLayout.sfdiskScript(disk) : `label: gpt\nstart=${FIRST_SECTOR}, type=${options.architecture.gptRootType}, name=root\n`;
    await commands.run('sfdisk', ['--quiet', '--', disk], { input: script });
    const table = await readPartitionTable(commands, disk);
    const root = table?.partitions[0];
    if (!table || !root) throw new Error(`sfdisk made no partition on ${disk}`);
    range = partitionByteRange(table, root);
  }
  const loop = await attachLoopForStep(commands, disk, ctx, range);
  await commands.run(
    options.fs === 'xfs' ? 'mkfs.xfs' : 'mkfs.ext4',
    options.fs === 'xfs' ? ['-q', '-f', '-L', 'root', loop] : ['-q', '-F', '-L', 'root', loop],
    { timeoutMs: 600_000 },
  );
  const uuid = await filesystemUuid(commands, loop);
  if (!uuid)
    throw new AminatorError(`no file system UUID on ${loop} after mkfs`, {
      code: LocalErrorCodes.FOUNDATION_FAILED,
      suggestions: ['run again with --debug to see what mkfs printed'],
    });
  return { loop, uuid };
}

async function mountAt(device: string, commands: CommandRunner, ctx: StepContext): Promise<string> {
  const root = join(ctx.workDir, 'root');
  await mkdir(root);
  ctx.cleanup.push({ description: `remove ${root}`, undo: () => rmdir(root) });
  const mounter = new Mounter(commands);
  await mounter.mount([device, root], ctx.signal);
  ctx.cleanup.push({
    description: `unmount ${root}`,
    resource: { kind: 'mount', id: root },
    manual: [['umount', root]],
    undo: () => mounter.unmountTree(root, { retryMs: UNMOUNT_RETRY_MS }),
  });
  return root;
}

/** fstab by UUID, hostname and hosts, written only below the root (the OS plugin writes its own files). */
async function configure(root: string, uuid: string, options: FoundationOptions): Promise<void> {
  const fsOptions = options.fs === 'xfs' ? 'defaults 0 0' : 'defaults,errors=remount-ro 0 1';
  const hostname =
    options.name
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 63)
      .replace(/^-+|-+$/g, '') || 'localhost';
  const files: Record<string, string> = {
    '/etc/fstab': `# written by aminate foundation\nUUID=${uuid} / ${options.fs} ${fsOptions}\n`,
    '/etc/hostname': `${hostname}\n`,
    '/etc/hosts': `127.0.0.1 localhost\n127.0.1.1 ${hostname}\n::1 localhost ip6-localhost ip6-loopback\n`,
  };
  for (const [inside, content] of Object.entries(files)) await writeFileInside(root, inside, content, 0o644);
}
