export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{a: {b: value}}` for `a.b`. */
export function objectAtPath(path: string, value: unknown): PlainObject {
  return path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as PlainObject;
}

export function valueAtPath(root: unknown, path: string): unknown {
  let current = root;
  for (const key of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}
