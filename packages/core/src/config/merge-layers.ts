import type { ConfigLayer, MergedConfig } from './config-layer.js';
import { isPlainObject, type PlainObject } from './key-path.js';

/**
 * Merge layers, later wins: objects merge key by key, arrays and scalars replace. Records which layer
 * each leaf came from, so `aminate config` and errors can name it.
 */
export function mergeLayers(layers: readonly ConfigLayer[]): MergedConfig {
  const value: PlainObject = {};
  const sources = new Map<string, string>();
  for (const layer of layers) mergeInto(value, layer.data, '', layer.source, sources);
  return { value, sources, layers };
}

function mergeInto(target: PlainObject, data: PlainObject, prefix: string, source: string, sources: Map<string, string>): void {
  for (const [key, incoming] of Object.entries(data)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(incoming) && Object.keys(incoming).length > 0) {
      if (!isPlainObject(target[key])) {
        forget(sources, path);
        target[key] = {};
      }
      mergeInto(target[key] as PlainObject, incoming, path, source, sources);
      continue;
    }
    forget(sources, path);
    target[key] = isPlainObject(incoming) ? (isPlainObject(target[key]) ? target[key] : {}) : incoming;
    sources.set(path, source);
  }
}

function forget(sources: Map<string, string>, path: string): void {
  for (const key of [...sources.keys()]) {
    if (key === path || key.startsWith(`${path}.`)) sources.delete(key);
  }
}

/**
 * The layer that set `path`; else one that set a value below it; else the layer that last set a value
 * beside it (for a key that is missing, that is the file which wrote its section).
 */
export function sourceOf(merged: Pick<MergedConfig, 'sources'>, path: string): string | undefined {
  const exact = merged.sources.get(path);
  if (exact) return exact;
  const parts = path.split('.');
  for (let depth = parts.length; depth > 0; depth--) {
    const prefix = `${parts.slice(0, depth).join('.')}.`;
    const ancestor = depth < parts.length ? merged.sources.get(parts.slice(0, depth).join('.')) : undefined;
    if (ancestor) return ancestor;
    const below = [...merged.sources].filter(([key]) => key.startsWith(prefix)).at(-1);
    if (below) return below[1];
  }
  return undefined;
}
