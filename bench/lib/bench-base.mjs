// The benches' shared base image: `bench-base` in the bench store, built once by `aminate foundation`.

/** Make sure the store has bench-base; `aminate` runs aminate with the bench's config and returns spawnSync's result. */
export function ensureBenchBase(aminate, store) {
  if (aminate('images', 'show', 'bench-base').status === 0) return;
  console.log(`building the base image bench-base in ${store} (once)…`);
  const built = aminate('foundation', '--name', 'bench-base', '--size', '1G', '--minimal');
  if (built.status !== 0) throw new Error(`foundation failed:\n${built.stderr}`);
}
