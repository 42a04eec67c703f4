#!/usr/bin/env node
// After `tsc -b`: each package's entry points (the `aminator-source` target of each export in its
// package.json) bundled into dist/bundle, which the `default` condition loads. Node 20 spends ~1 ms
// per ES module it resolves and links; core alone is ~100 files, so a bake started in ~350 ms of
// module loading. Other packages stay external (bare imports), so every package is still one copy
// in a process: plugins and aminate share core and the libraries as before. Tests run with
// `--conditions=aminator-source` and load the per-file build their own tests import.
// Usage: node scripts/bundle.mjs [--here]   (--here: only the package in the working directory)
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const SOURCE_CONDITION = 'aminator-source';
// Third-party packages copied into the bundle of the one package that uses them (core: zod and
// semver; core-bin: commander; sbom: the CycloneDX library, packageurl-js and spdx-expression-parse,
// ~80 CommonJS files, in chunks loaded on first use): none holds state or hands out a class another package checks, so a
// copy is as good as the shared file, and Node resolves, reads and links one module instead of ~40.
// Everything else stays a bare import: @aminator/* (one copy each per process), tsyringe and
// reflect-metadata (one DI registry), the AWS SDK and cosmiconfig (large, and loaded on first use).
const INLINE = new Set(['zod', 'semver', 'commander', '@cyclonedx/cyclonedx-library', 'packageurl-js', 'spdx-expression-parse']);
// Bundled CommonJS (semver, commander) calls require() for Node's own modules.
const BANNER = "import { createRequire as __aminatorRequire } from 'node:module'; const require = __aminatorRequire(import.meta.url);";
const here = process.argv.includes('--here');
const roots = here ? ['.'] : readdirSync('packages').map((name) => join('packages', name));

for (const root of roots) {
  const file = join(root, 'package.json');
  if (!existsSync(file)) continue;
  const exports = JSON.parse(readFileSync(file, 'utf8')).exports ?? {};
  const entries = Object.values(exports)
    .map((target) => (target && typeof target === 'object' ? target[SOURCE_CONDITION] : undefined))
    .filter((path) => typeof path === 'string')
    .map((path) => join(root, path));
  if (entries.length === 0) continue;
  const outdir = join(root, 'dist', 'bundle');
  const result = await build({
    // Paths relative to the package, whichever directory this runs in: chunk names hash them, and a
    // package's `prepack` (run from the package) must write the names the workspace build wrote.
    absWorkingDir: resolve(root),
    entryPoints: entries.map((entry) => relative(root, entry)),
    outbase: join('dist', 'src'),
    outdir: join('dist', 'bundle'),
    write: false,
    bundle: true,
    // One copy of each module across a package's entries (core's ., ./host and ./internal).
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externalExcept(INLINE)],
    banner: { js: BANNER },
    // Error classes name themselves after their class (`new.target.name`).
    keepNames: true,
    logLevel: 'warning',
  });
  replaceFiles(outdir, result.outputFiles);
  if (!here) console.log(`bundled ${relative('.', root)}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`);
}

/**
 * Each file written whole (a temporary file renamed over it), then the files no longer produced removed:
 * an aminate process running from the bundle meanwhile (a test beside a `prepack`) never finds a chunk
 * missing or half-written.
 */
function replaceFiles(outdir, files) {
  mkdirSync(outdir, { recursive: true });
  const made = new Set();
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
    made.add(basename(file.path));
  }
  for (const name of readdirSync(outdir)) if (!made.has(name)) rmSync(join(outdir, name), { recursive: true, force: true });
}

function installed(request, importer) {
  try {
    createRequire(importer).resolve(request);
    return true;
  } catch {
    return false;
  }
}

/** Every bare import is external, but for the packages named (and their own dependencies). */
function externalExcept(inline) {
  return {
    name: 'external-except',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        // A module inside an inlined package's own files resolves normally (its dependencies come along),
        // but for an optional dependency that is not installed: left a bare import, as the package
        // expects to find it missing (the CycloneDX library's XML helpers).
        if (args.importer.includes('/node_modules/') && !installed(args.path, args.importer)) return { path: args.path, external: true };
        if (inline.has(name) || args.importer.includes('/node_modules/')) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}
