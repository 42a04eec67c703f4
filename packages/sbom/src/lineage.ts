/** Something that names the image it was built on: a local image's manifest, an AMI by its tags. */
export interface LineageLink {
  readonly id: string;
  readonly parentId?: string | undefined;
}

/** The items built on `baseId`, directly or through other items of the list. */
export function descendantsOf<T extends LineageLink>(items: readonly T[], baseId: string): T[] {
  const found = new Set<string>([baseId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const item of items) {
      if (item.parentId && found.has(item.parentId) && !found.has(item.id)) {
        found.add(item.id);
        grew = true;
      }
    }
  }
  return items.filter((i) => i.id !== baseId && found.has(i.id));
}

/**
 * The chain from `first` back through its parents to one that names none (a foundation, a vendor's
 * image). `missing`: the id of a parent `parentOf` cannot find (removed, deregistered). Stops at a
 * loop, which only hand-edited manifests or tags can make.
 */
export async function ancestryOf<T extends LineageLink>(
  first: T,
  parentOf: (id: string) => T | undefined | Promise<T | undefined>,
): Promise<{ chain: T[]; missing?: string }> {
  const chain: T[] = [];
  for (let link: T | undefined = first; link; ) {
    if (chain.some((c) => c.id === link?.id)) break;
    chain.push(link);
    if (link.parentId === undefined) break;
    const parent: T | undefined = await parentOf(link.parentId);
    if (!parent) return { chain, missing: link.parentId };
    link = parent;
  }
  return { chain };
}
