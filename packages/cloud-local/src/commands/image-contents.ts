import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AminatorError, InvalidInputError, type PluginCommand, writeOutputFile } from '@aminator/core';
import { type ImageManifest, LocalErrorCodes, type LocalImageStore } from '@aminator/local-store';
import { ancestryOf, imagesHolding, type PackageQuery, sbomFileNames } from '@aminator/sbom';
import type { LocalConfig } from '../local-config.js';
import { commandStore, STORE_OPTION } from './command-store.js';

const FORMATS = ['cyclonedx', 'spdx', 'delta'] as const;

/** One of an image's documents, by format; a clear error for an image made before SBOMs or whose database could not be read. */
async function imageDocument(store: LocalImageStore, image: ImageManifest, format: (typeof FORMATS)[number]): Promise<string> {
  const contents = image.contents;
  if (contents === undefined || 'unavailable' in contents) {
    throw new AminatorError(`image ${image.name} (${image.id}) has no SBOM${contents ? `: ${contents.unavailable}` : ''}`, {
      code: LocalErrorCodes.NO_SBOM,
      suggestions: contents
        ? ["inspect the base image's package database, then bake again"]
        : ['it was made before aminate wrote SBOMs, or seeded by hand: bake it (or build the foundation) again'],
    });
  }
  if (format === 'delta' && !contents.delta) {
    throw new InvalidInputError('--format', `${image.name} was made from nothing (a foundation): it has no delta`, ['use --format cyclonedx or spdx']);
  }
  const names = sbomFileNames();
  return readFile(store.fileOf(image.id, format === 'delta' ? names.delta : names[format]), 'utf8');
}

export const sbomCommand: PluginCommand<LocalConfig> = {
  name: 'sbom',
  summary: "print an image's SBOM (CycloneDX 1.5 or SPDX 2.3 JSON) or the delta its bake added",
  description:
    'Every bake and foundation records the packages of its image, read from its package database on the host side. ' +
    'Example: aminate images sbom nginx-light-1.22.1-9-amd64-202612051200 --format spdx --output nginx.spdx.json',
  arguments: [{ name: 'image', description: 'id or name', required: true }],
  options: [
    { flags: '--format <format>', description: 'cyclonedx, spdx or delta', defaultValue: 'cyclonedx', choices: [...FORMATS] },
    { flags: '--output <file>', description: 'write it to a file (must not exist) instead of printing it' },
    STORE_OPTION,
  ],
  async run(args, options, ctx) {
    const store = commandStore(options, ctx);
    const image = await store.get(String(args[0]));
    const text = await imageDocument(store, image, options.format as (typeof FORMATS)[number]);
    if (typeof options.output === 'string') {
      const output = resolve(options.output);
      await writeOutputFile(output, (to) => writeFile(to, text), { field: '--output' });
      ctx.print({ image: image.id, format: options.format, output }, [`wrote ${output} (${options.format})`]);
    } else {
      ctx.print(JSON.parse(text), text.trimEnd().split('\n'));
    }
    return 0;
  },
};

export const lineageCommand: PluginCommand<LocalConfig> = {
  name: 'lineage',
  summary: 'print the chain of images from one image back to the foundation it was built on',
  arguments: [{ name: 'image', description: 'id or name', required: true }],
  options: [STORE_OPTION],
  async run(args, options, ctx) {
    const images = await commandStore(options, ctx).list();
    const byId = new Map(images.map((i) => [i.id, i]));
    const first = images.find((i) => i.id === args[0] || i.name === args[0]);
    if (!first) throw new AminatorError(`no image ${args[0]} in the store`, { code: LocalErrorCodes.IMAGE_NOT_FOUND, exitCode: 2 });
    const { chain, missing } = await ancestryOf(first, (id) => byId.get(id));
    const lines = chain.map(
      (i, depth) =>
        `${'  '.repeat(depth)}${depth === 0 ? '' : '↳ '}${i.name} (${i.id})${i.package ? `: ${i.package.name} ${i.package.version}-${i.package.release}` : i.parentId ? '' : ': foundation'}`,
    );
    if (missing) lines.push(`${'  '.repeat(chain.length)}↳ ${missing}: no longer in the store`);
    ctx.print({ lineage: chain.map((i) => ({ id: i.id, name: i.name, parentId: i.parentId, package: i.package })), missingParent: missing }, lines);
    return 0;
  },
};

/** The images whose SBOM lists a package matching `query`, with the matching versions; and the images that have no SBOM to ask. */
export async function imagesWithPackage(
  store: LocalImageStore,
  images: readonly ImageManifest[],
  query: PackageQuery,
): Promise<{ matches: Map<string, string[]>; unknown: ImageManifest[] }> {
  const { matches, unknown } = await imagesHolding(images, query, async (image) =>
    !image.contents || 'unavailable' in image.contents ? { missing: 'no SBOM' } : { text: await imageDocument(store, image, 'cyclonedx') },
  );
  return { matches, unknown: unknown.map((u) => u.image) };
}
