import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AminatorError,
  CleanupStack,
  type CommandRunner,
  createExclusive,
  EXIT_USAGE,
  holdRunLock,
  makeRunWorkDir,
  newRunId,
  type PluginCommandContext,
  type StepContext,
} from '@aminator/core';
import {
  attachLoop,
  detachLoop,
  filesystemUuid,
  Mounter,
  mountChrootFilesystems,
  PartitionTypes,
  partitionByteRange,
  readPartitionTable,
  runInChroot,
  writeFileInside,
} from '@aminator/linux-host';
import type { ImageManifest } from '../image-manifest.js';
import { LocalErrorCodes, type LocalImageStore, newImageId } from '../local-image-store.js';
import { bootableSfdiskScript, bootConfigFiles, DEBIAN_BOOT_PACKAGES, installBootLoader } from './boot-loader.js';
import type { FoundationOptions } from './foundation-options.js';

const DPKG_TO_MACHINE: Record<string, string> = { amd64: 'x86_64', arm64: 'arm64', i386: 'i386' };
const FIRST_SECTOR = 2048;

interface Built {
  readonly architecture: string;
  readonly rootPartition?: number;
}

/** How long a busy mount of the foundation build is retried before its holders are named. */
const UNMOUNT_RETRY_MS = 15_000;

/**
 * A base image from nothing: a sparse disk (bootable: GPT with BIOS boot, EFI system and root
 * partitions and GRUB for both firmwares; minimal: one Linux root partition, or a bare file system),
 * the OS installed into it (debootstrap, or dnf --installroot), fstab by UUID, hostname, package
 * sources; then published atomically in the store. Everything mounted or attached on the way is
 * released before publishing, and on any failure or signal.
 */
export async function buildFoundation(options: FoundationOptions, store: LocalImageStore, ctx: PluginCommandContext): Promise<ImageManifest> {
  await store.ensure();
  const existing = await store.find(options.name);
  if (existing && !options.force) {
    throw new AminatorError(`an image named "${options.name}" already exists (${existing.id})`, {
      code: LocalErrorCodes.IMAGE_EXISTS,
      exitCode: EXIT_USAGE,
      suggestions: ['pick another --name, or pass --force to replace it'],
    });
  }
  // A run id and run lock like a bake's: after a kill -9, `aminate cleanup` finds the mounts, the
  // processes (debootstrap), the loop device and the staged image of a foundation build the same way.
  const runId = newRunId();
  await holdRunLock(ctx.locks, { runId, cleanup: ctx.cleanup });
  // The same work directory a bake makes, before anything else: below a work root that must be private
  // (the install mounts there), with an owner file.
  const workDir = await makeRunWorkDir(ctx.workRoot, { runId, cleanup: ctx.cleanup });
  const id = newImageId(runId);
  const stage = await store.stage(id, ctx.locks);
  ctx.cleanup.push({ description: `release the stage lock of ${id}`, undo: () => stage.release() });
  const staged = stage.dir;
  ctx.cleanup.push({ description: `remove unfinished image ${staged}`, manual: [['rm', '-r', staged]], undo: () => store.discard(staged) });
  const disk = join(staged, 'disk.raw');
  const file = await createExclusive(disk, 0o644);
  await file.truncate(options.sizeBytes);
  await file.close();
  const built = await installInto(disk, options, runId, workDir, ctx);
  const manifest: ImageManifest = {
    id,
    name: options.name,
    description: `${options.os} ${options.release} foundation image (${options.fs}, ${options.partitionTable}${options.bootable ? ', bootable: BIOS and UEFI' : ''})`,
    tags: { foundation: 'true', os: options.os, release: options.release },
    createdAt: new Date().toISOString(),
    sizeBytes: options.sizeBytes,
    architecture: built.architecture,
    os: { family: options.os, release: options.release },
    layout: { partitionTable: options.partitionTable, rootPartition: built.rootPartition, fsType: options.fs },
    boot: options.bootable ? { bios: true, uefi: true } : undefined,
  };
  await store.publish(staged, manifest, ctx.locks, { replace: options.force });
  return manifest;
}

/** Partition, format, mount, install, configure — with its own stack, unwound before publishing. */
async function installInto(disk: string, options: FoundationOptions, runId: string, workDir: string, ctx: PluginCommandContext): Promise<Built> {
  const stack = new CleanupStack();
  const step: StepContext = {
    runId,
    signal: ctx.signal,
    log: ctx.log,
    dryRun: false,
    cleanup: stack,
    workDir,
    resource: () => undefined,
    progress: (m) => ctx.log.info(m),
  };
  try {
    const built = await partitionFormatInstall(disk, options, ctx.commands, step);
    const report = await stack.unwind({ reason: 'success' });
    if (report.errors[0]) throw report.errors[0];
    return built;
  } catch (error) {
    await stack.unwind({ reason: ctx.signal.aborted ? 'interrupted' : 'failure' });
    throw error;
  }
}

async function partitionFormatInstall(disk: string, options: FoundationOptions, commands: CommandRunner, ctx: StepContext): Promise<Built> {
  let range = { offsetBytes: 0, sizeBytes: options.sizeBytes };
  if (options.partitionTable === 'gpt') {
    const script = options.bootable
      ? bootableSfdiskScript(disk, PartitionTypes.rootX86_64)
      : `label: gpt\nstart=${FIRST_SECTOR}, type=${PartitionTypes.rootX86_64}, name=root\n`;
    await commands.run('sfdisk', ['--quiet', '--', disk], { input: script });
    const table = await readPartitionTable(commands, disk);
    const root = table?.partitions[0];
    if (!table || !root) throw new Error(`sfdisk made no partition on ${disk}`);
    range = partitionByteRange(table, root);
  }
  const loop = await attachLoop(commands, disk, { ...range, signal: ctx.signal });
  ctx.cleanup.push({ description: `detach ${loop}`, manual: [['losetup', '--detach', loop]], undo: () => detachLoop(commands, loop) });
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
  const root = await mountAt(loop, commands, ctx);
  ctx.progress(`installing ${options.os} ${options.release} from ${options.source}`);
  if (options.os === 'debian') await debootstrap(root, options, commands, ctx);
  else await dnfInstallroot(root, options, commands, ctx);
  await configure(root, uuid, options);
  if (options.bootable) await makeBootable(disk, root, loop, uuid, commands, ctx);
  const architecture =
    options.os === 'debian'
      ? (DPKG_TO_MACHINE[(await runInChroot(commands, root, 'dpkg', ['--print-architecture'], ctx)).stdout.trim()] ?? 'x86_64')
      : (await commands.run('uname', ['-m'])).stdout.trim();
  return { architecture, rootPartition: options.partitionTable === 'gpt' ? 1 : undefined };
}

async function mountAt(device: string, commands: CommandRunner, ctx: StepContext): Promise<string> {
  const root = join(ctx.workDir, 'root');
  await mkdir(root);
  ctx.cleanup.push({ description: `remove ${root}`, undo: () => rmdir(root) });
  const mounter = new Mounter(commands);
  await mounter.mount([device, root], ctx.signal);
  ctx.cleanup.push({ description: `unmount ${root}`, manual: [['umount', root]], undo: () => mounter.unmountTree(root, { retryMs: UNMOUNT_RETRY_MS }) });
  return root;
}

/**
 * The boot loader, installed by the image's own GRUB in a chroot whose private /dev shows the root
 * partition and the whole disk — nothing else of the host — so grub-mkconfig names the root by UUID
 * and grub-install can only write this disk.
 */
async function makeBootable(disk: string, root: string, rootLoop: string, rootUuid: string, commands: CommandRunner, ctx: StepContext): Promise<void> {
  for (const [inside, content] of Object.entries(bootConfigFiles())) await writeFileInside(root, inside, content, 0o644);
  const diskLoop = await attachLoop(commands, disk, { signal: ctx.signal });
  ctx.cleanup.push({ description: `detach ${diskLoop}`, manual: [['losetup', '--detach', diskLoop]], undo: () => detachLoop(commands, diskLoop) });
  await mountChrootFilesystems(root, new Mounter(commands), ctx, { unmountRetryMs: UNMOUNT_RETRY_MS, blockDevices: [rootLoop, diskLoop], commands });
  await runInChroot(commands, root, 'systemctl', ['enable', 'systemd-networkd', 'systemd-resolved'], ctx);
  await installBootLoader({ root, rootUuid, diskLoop, diskFile: disk }, commands, ctx);
}

async function debootstrap(root: string, options: FoundationOptions, commands: CommandRunner, ctx: StepContext): Promise<void> {
  const packages = [...(options.bootable ? DEBIAN_BOOT_PACKAGES : []), ...options.include];
  const include = packages.length > 0 ? [`--include=${packages.join(',')}`] : [];
  // debootstrap takes no `--`; the release and mirror were validated, the root is ours.
  await commands.run('debootstrap', ['--variant=minbase', ...include, options.release, root, options.source], {
    signal: ctx.signal,
    timeoutMs: 3_600_000,
    onLine: (line) => ctx.log.debug(line),
  });
  await runInChroot(commands, root, 'apt-get', ['clean'], ctx);
}

async function dnfInstallroot(root: string, options: FoundationOptions, commands: CommandRunner, ctx: StepContext): Promise<void> {
  await commands.run(
    'dnf',
    [
      '-y',
      `--installroot=${root}`,
      `--releasever=${options.release}`,
      `--repofrompath=foundation,${options.source}`,
      '--repo=foundation',
      '--setopt=install_weak_deps=False',
      '--nogpgcheck',
      'install',
      '--',
      ...options.include,
    ],
    { signal: ctx.signal, timeoutMs: 3_600_000, onLine: (line) => ctx.log.debug(line) },
  );
  await commands.run('dnf', ['-y', `--installroot=${root}`, `--releasever=${options.release}`, 'clean', 'all'], { signal: ctx.signal });
}

/** fstab by UUID, hostname, hosts and (Debian) apt sources, written only below the root. */
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
  if (options.os === 'debian') files['/etc/apt/sources.list'] = `deb ${options.source} ${options.release} main\n`;
  for (const [inside, content] of Object.entries(files)) await writeFileInside(root, inside, content, 0o644);
}
