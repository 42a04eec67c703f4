import { existsSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AminatorError, type CommandRunner, createExclusive, EXIT_USAGE, type PluginCommandContext, type RunOutcome, type StepContext } from '@aminator/core';
import {
  attachLoopForStep,
  filesystemUuid,
  Mounter,
  mountChrootFilesystems,
  PartitionTypes,
  partitionByteRange,
  readPartitionTable,
  requireHostTools,
  runInChroot,
  writeFileInside,
} from '@aminator/linux-host';
import type { ImageManifest } from '@aminator/local-store';
import { formatSize, LocalErrorCodes, type LocalImageStore, newImageId } from '@aminator/local-store';
import { bootableSfdiskScript, bootConfigFiles, DEBIAN_BOOT_PACKAGES, installBootLoader } from './boot-loader.js';
import { type FoundationOptions, foundationTools } from './foundation-options.js';

const DPKG_TO_MACHINE: Record<string, string> = { amd64: 'x86_64', arm64: 'arm64', i386: 'i386' };
const FIRST_SECTOR = 2048;
/** How long a busy mount of the foundation build is retried before its holders are named. */
const UNMOUNT_RETRY_MS = 15_000;

/** The steps of `aminate foundation`, in order (core adds `cleanup`); failpoints may name them. */
export function foundationSteps(options: Pick<FoundationOptions, 'bootable'>): string[] {
  return ['plan', 'create-disk', 'partition', 'install', 'configure', ...(options.bootable ? ['boot-loader'] : []), 'teardown', 'publish'];
}

/**
 * A base image from nothing, as a run of named steps like a bake's (events, run lock, private work
 * directory, failpoints, one cleanup stack): plan (name and host tools), create-disk (a sparse file in
 * a staged image), partition (bootable: GPT with BIOS boot, EFI system and root partitions; minimal:
 * one root partition, or a bare file system) and format, install (debootstrap, or dnf --installroot),
 * configure (fstab by UUID, hostname, package sources), boot-loader (GRUB for both firmwares),
 * teardown (everything mounted or attached is released), publish (atomically, in the store).
 */
export async function buildFoundation(options: FoundationOptions, store: LocalImageStore, ctx: PluginCommandContext, dryRun = false): Promise<RunOutcome> {
  const layout = `${formatSize(options.sizeBytes)} ${options.fs}, ${options.partitionTable}${options.bootable ? ', bootable (BIOS and UEFI)' : ', minimal'}`;
  return ctx.runSteps({ steps: foundationSteps(options), subject: options.name, dryRun }, async (run) => {
    const planLines = await run.step('plan', async (step) => {
      requireHostTools(foundationTools(options));
      requireKeyring(options);
      if (options.insecureRepo) step.log.warn(INSECURE_REPO_WARNING);
      const existing = await store.find(options.name);
      if (existing && !options.force) {
        throw new AminatorError(`an image named "${options.name}" already exists (${existing.id})`, {
          code: LocalErrorCodes.IMAGE_EXISTS,
          exitCode: EXIT_USAGE,
          suggestions: ['pick another --name, or pass --force to replace it'],
        });
      }
      return [
        `image: ${options.name}: ${options.os} ${options.release}, ${layout}`,
        `from: ${options.source}${options.include.length > 0 ? ` with ${options.include.join(', ')}` : ''}`,
        `store: ${store.dir}${existing ? ` (replaces ${existing.id})` : ''}`,
        options.insecureRepo ? 'signatures: NOT checked (--insecure-repo)' : `signatures: checked against ${options.keyring.file}`,
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
    const { loop, uuid } = await run.step('partition', (step) => partitionAndFormat(disk, options, ctx.commands, step));
    const root = await run.step('install', async (step) => {
      const root = await mountAt(loop, ctx.commands, step);
      step.progress(`installing ${options.os} ${options.release} from ${options.source}`);
      if (options.os === 'debian') await debootstrap(root, options, ctx.commands, step);
      else await dnfInstallroot(root, options, ctx.commands, step);
      return root;
    });
    const architecture = await run.step('configure', async (step) => {
      await configure(root, uuid, options);
      return options.os === 'debian'
        ? (DPKG_TO_MACHINE[(await runInChroot(ctx.commands, root, 'dpkg', ['--print-architecture'], step)).stdout.trim()] ?? 'x86_64')
        : (await ctx.commands.run('uname', ['-m'])).stdout.trim();
    });
    if (options.bootable) await run.step('boot-loader', (step) => makeBootable(disk, root, loop, uuid, ctx.commands, step));
    await run.step('teardown', () => run.release(held));
    const manifest: ImageManifest = {
      id,
      name: options.name,
      description: `${options.os} ${options.release} foundation image (${options.fs}, ${options.partitionTable}${options.bootable ? ', bootable: BIOS and UEFI' : ''})`,
      tags: { foundation: 'true', os: options.os, release: options.release },
      createdAt: new Date().toISOString(),
      sizeBytes: options.sizeBytes,
      architecture,
      os: { family: options.os, release: options.release },
      layout: { partitionTable: options.partitionTable, rootPartition: options.partitionTable === 'gpt' ? 1 : undefined, fsType: options.fs },
      boot: options.bootable ? { bios: true, uefi: true } : undefined,
      warnings: options.insecureRepo ? [INSECURE_REPO_WARNING] : undefined,
    };
    await run.step('publish', () => store.publish(staged, manifest, ctx.locks, { replace: options.force }));
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
  commands: CommandRunner,
  ctx: StepContext,
): Promise<{ loop: string; uuid: string }> {
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

/**
 * The boot loader, installed by the image's own GRUB in a chroot whose private /dev shows the root
 * partition and the whole disk — nothing else of the host — so grub-mkconfig names the root by UUID
 * and grub-install can only write this disk.
 */
async function makeBootable(disk: string, root: string, rootLoop: string, rootUuid: string, commands: CommandRunner, ctx: StepContext): Promise<void> {
  for (const [inside, content] of Object.entries(bootConfigFiles())) await writeFileInside(root, inside, content, 0o644);
  const diskLoop = await attachLoopForStep(commands, disk, ctx);
  await mountChrootFilesystems(root, new Mounter(commands), ctx, { unmountRetryMs: UNMOUNT_RETRY_MS, blockDevices: [rootLoop, diskLoop], commands });
  await runInChroot(commands, root, 'systemctl', ['enable', 'systemd-networkd', 'systemd-resolved'], ctx);
  await installBootLoader({ root, rootUuid, diskLoop, diskFile: disk }, commands, ctx);
}

const INSECURE_REPO_WARNING = 'packages were installed without checking their signatures (--insecure-repo)';

/** The keyring the packages' signatures are checked against must be there: else E_KEYRING_MISSING, naming what provides it. */
function requireKeyring(options: FoundationOptions): void {
  if (options.insecureRepo || existsSync(options.keyring.file)) return;
  throw new AminatorError(`the keyring ${options.keyring.file} that the packages' signatures are checked against does not exist`, {
    code: LocalErrorCodes.KEYRING_MISSING,
    exitCode: EXIT_USAGE,
    suggestions: [
      options.keyring.package ? `apt-get install ${options.keyring.package}` : 'give --keyring with the file that signs this mirror or repository',
      'or pass --insecure-repo to install unsigned packages (the image records that it was built so)',
    ],
  });
}

async function debootstrap(root: string, options: FoundationOptions, commands: CommandRunner, ctx: StepContext): Promise<void> {
  const packages = [...(options.bootable ? DEBIAN_BOOT_PACKAGES : []), ...options.include];
  const include = packages.length > 0 ? [`--include=${packages.join(',')}`] : [];
  // debootstrap takes no `--`; the release and mirror were validated, the root is ours.
  // --force-check-gpg: without it, a missing keyring makes debootstrap skip the Release signature silently.
  const signatures = options.insecureRepo ? ['--no-check-gpg'] : ['--force-check-gpg', `--keyring=${options.keyring.file}`];
  await commands.run('debootstrap', ['--variant=minbase', ...signatures, ...include, options.release, root, options.source], {
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
      ...(options.insecureRepo ? ['--nogpgcheck'] : ['--setopt=foundation.gpgcheck=1', `--setopt=foundation.gpgkey=file://${options.keyring.file}`]),
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
