import { resolve } from 'node:path';
import { InvalidInputError, type PluginCommand, textTable, writeOutputFile } from '@aminator/core';
import { HostTools, requireHostTools } from '@aminator/linux-host';
import { formatSize } from '@aminator/local-store';
import { descendantsOf, parsePackageQuery } from '@aminator/sbom';
import type { LocalConfig } from '../local-config.js';
import { commandStore, STORE_OPTION } from './command-store.js';
import { imagesWithPackage, lineageCommand, sbomCommand } from './image-contents.js';

const list: PluginCommand<LocalConfig> = {
  name: 'list',
  summary: 'list the images in the store, newest first',
  description:
    "Which images hold a vulnerable package, and which were built on a base: aminate images list --with-package 'libssl3<3.0.15-1~deb12u1' --built-on debian-12 " +
    "(versions compare in the image's own ordering, dpkg's or rpm's: epochs, ~, +deb12u1).",
  options: [
    { flags: '--built-on <image>', description: 'only images built on this one (id or name), directly or through others' },
    { flags: '--with-package <query>', description: 'only images whose SBOM lists it: NAME, or NAME<VERSION (also <=, =, >=, >); quote it' },
    STORE_OPTION,
  ],
  async run(_args, options, ctx) {
    const store = commandStore(options, ctx);
    let images = await store.list();
    if (typeof options.builtOn === 'string') {
      const ref = options.builtOn;
      const base = images.find((i) => i.id === ref || i.name === ref) ?? (await store.get(ref));
      images = descendantsOf(images, base.id);
    }
    let found: Map<string, string[]> | undefined;
    if (typeof options.withPackage === 'string') {
      const query = parsePackageQuery(options.withPackage);
      const { matches, unknown } = await imagesWithPackage(store, images, query);
      for (const image of unknown) ctx.log.warn(`${image.name} (${image.id}) has no SBOM: it could not be asked`);
      images = images.filter((i) => matches.has(i.id));
      found = matches;
    }
    const rows = images.map((i) => [
      i.name,
      i.id,
      i.createdAt.slice(0, 16).replace('T', ' '),
      formatSize(i.sizeBytes),
      found ? (found.get(i.id) ?? []).join(', ') : i.package ? `${i.package.name} ${i.package.version}-${i.package.release}` : '-',
    ]);
    const none = options.withPackage || options.builtOn ? ['no image matches'] : ['no images; build a base image with `aminate foundation --name NAME`'];
    ctx.print(
      found ? images.map((i) => ({ ...i, matches: found?.get(i.id) })) : images,
      rows.length === 0 ? none : textTable([['NAME', 'ID', 'CREATED', 'SIZE', found ? 'MATCHES' : 'PACKAGE'], ...rows]),
    );
    return 0;
  },
};

const show: PluginCommand<LocalConfig> = {
  name: 'show',
  summary: "show one image's manifest",
  arguments: [{ name: 'image', description: 'id or name', required: true }],
  options: [STORE_OPTION],
  async run(args, options, ctx) {
    const image = await commandStore(options, ctx).get(String(args[0]));
    ctx.print(image, JSON.stringify(image, null, 2).split('\n'));
    return 0;
  },
};

const rm: PluginCommand<LocalConfig> = {
  name: 'rm',
  summary: 'delete an image from the store',
  arguments: [{ name: 'image', description: 'id or name', required: true }],
  options: [STORE_OPTION],
  async run(args, options, ctx) {
    const store = commandStore(options, ctx);
    const image = await store.get(String(args[0]));
    await store.remove(image.id);
    ctx.print({ removed: image.id }, [`removed ${image.name} (${image.id})`]);
    return 0;
  },
};

const exportImage: PluginCommand<LocalConfig> = {
  name: 'export',
  summary: "write an image's disk as raw or qcow2 (qemu-img) to a file",
  arguments: [{ name: 'image', description: 'id or name', required: true }],
  options: [
    { flags: '--format <format>', description: 'raw or qcow2', defaultValue: 'raw', choices: ['raw', 'qcow2'] },
    { flags: '--output <file>', description: 'file to write (must not exist; mode 0600)' },
    { flags: '--force', description: 'replace a file already at --output' },
    STORE_OPTION,
  ],
  async run(args, options, ctx) {
    const store = commandStore(options, ctx);
    const image = await store.get(String(args[0]));
    if (typeof options.output !== 'string') throw new InvalidInputError('--output', 'give the file to write');
    const output = resolve(options.output);
    const source = store.diskOf(image.id);
    if (options.format === 'qcow2') requireHostTools([HostTools.qemuImg], { needsRoot: false });
    const copy =
      options.format === 'qcow2'
        ? (to: string) => ctx.commands.run('qemu-img', ['convert', '-O', 'qcow2', '--', source, to], { signal: ctx.signal, timeoutMs: 3_600_000 })
        : (to: string) => ctx.commands.run('cp', ['--sparse=always', '--', source, to], { signal: ctx.signal, timeoutMs: 3_600_000 });
    await writeOutputFile(output, async (to) => void (await copy(to)), { force: options.force === true, field: '--output' });
    ctx.print({ image: image.id, format: options.format, output }, [`wrote ${output} (${options.format})`]);
    return 0;
  },
};

export const imagesCommand: PluginCommand<LocalConfig> = {
  name: 'images',
  summary: 'list, show, remove and export images of the local store; their SBOMs and lineage',
  subcommands: [list, show, rm, exportImage, sbomCommand, lineageCommand],
};
