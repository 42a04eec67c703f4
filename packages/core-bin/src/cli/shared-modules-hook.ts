// Module resolution hooks (node:module register), run off the main thread: every import of the
// modules aminate shares with its plugins resolves to aminate's own copy, whoever imports it.

interface HookData {
  readonly shared: Readonly<Record<string, string>>;
}

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

let shared: Readonly<Record<string, string>> = {};

export async function initialize(data: HookData): Promise<void> {
  shared = data.shared;
}

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  const url = shared[specifier];
  if (url !== undefined) return { url, shortCircuit: true };
  return nextResolve(specifier, context);
}
