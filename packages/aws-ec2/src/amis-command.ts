import { InvalidInputError, type PluginCommand, type PluginCommandContext, textTable } from '@aminator/core';
import { ancestryOf, descendantsOf, imagesHolding, parsePackageQuery } from '@aminator/sbom';
import type { AmiConfig } from './ami-config.js';
import { amiById, bakedAmis, parentSnapshotOf, sbomOfAmi, type TaggedAmi } from './ami-queries.js';
import { AMI_ID, AWS_ACCOUNT_OR_ALIAS, REGION } from './aws-patterns.js';
import { Ec2Session } from './ec2-session.js';

const REGION_OPTION = { flags: '--region <region>', description: "region of the AMIs (default: AWS_REGION, the profile, or this instance's)" } as const;

type Context = PluginCommandContext<Pick<AmiConfig, 'sbomDir'>>;

/** An EC2 session for one command: the region from --region, else the SDK's chain or the instance's. */
async function withEc2<T>(options: Readonly<Record<string, unknown>>, body: (session: Ec2Session) => Promise<T>): Promise<T> {
  const region = typeof options.region === 'string' ? options.region : undefined;
  if (region !== undefined && !REGION.test(region)) throw new InvalidInputError('--region', `"${region}" is not a region like eu-west-1`);
  const session = new Ec2Session({ ...(region ? { region } : {}), maxAttempts: 8, consistencyWindowMs: 0 });
  try {
    return await body(session);
  } finally {
    await session.dispose();
  }
}

/** An AMI named by id, or by the name of one of the AMIs aminate baked here. */
function findAmi(ref: string, amis: readonly TaggedAmi[], field: string): TaggedAmi | undefined {
  if (AMI_ID.test(ref)) return amis.find((a) => a.id === ref);
  if (ref.length === 0 || ref.length > 128) throw new InvalidInputError(field, `"${ref}" is neither an AMI id nor an AMI name`);
  return amis.find((a) => a.name === ref);
}

const list: PluginCommand<Pick<AmiConfig, 'sbomDir'>> = {
  name: 'list',
  summary: 'list the AMIs aminate baked (they carry its appversion tag), newest first',
  description:
    "Which AMIs hold a vulnerable package, and which were built on a base: aminate amis list --with-package 'libssl3<3.0.15-1~deb12u1' --built-on ami-0123456789abcdef0 " +
    "(the package query reads each AMI's CycloneDX document from --sbom-dir, accepted only if its SHA-256 is the one the AMI is tagged with).",
  options: [
    { flags: '--owner <account>', description: 'whose AMIs: self, or a 12-digit account id', defaultValue: 'self' },
    { flags: '--built-on <ami>', description: 'only AMIs built on this one (id or name), directly or through others' },
    { flags: '--with-package <query>', description: 'only AMIs whose SBOM lists it: NAME, or NAME<VERSION (also <=, =, >=, >); quote it' },
    { flags: '--sbom-dir <dir>', description: "where the bakes wrote their SBOMs (default: the finalizer's sbomDir)" },
    REGION_OPTION,
  ],
  async run(_args, options, ctx: Context) {
    const owner = String(options.owner);
    if (!AWS_ACCOUNT_OR_ALIAS.test(owner)) throw new InvalidInputError('--owner', `"${owner}" is not self or a 12-digit account id`);
    const query = typeof options.withPackage === 'string' ? parsePackageQuery(options.withPackage) : undefined;
    const sbomDir = typeof options.sbomDir === 'string' ? options.sbomDir : ctx.config.sbomDir;
    if (query && !sbomDir) {
      throw new InvalidInputError('--with-package', 'needs the SBOMs the bakes wrote', [
        'give --sbom-dir DIR (the directory the bakes were given as --sbom-dir)',
      ]);
    }
    if (sbomDir !== undefined && !sbomDir.startsWith('/')) throw new InvalidInputError('--sbom-dir', `"${sbomDir}" is not an absolute path`);
    return withEc2(options, async (session) => {
      const client = (await session.clients()).home;
      let amis = await bakedAmis(client, [owner], ctx.signal);
      if (typeof options.builtOn === 'string') {
        const base =
          findAmi(options.builtOn, amis, '--built-on') ?? (AMI_ID.test(options.builtOn) ? await amiById(client, options.builtOn, ctx.signal) : undefined);
        if (!base) throw new InvalidInputError('--built-on', `no AMI ${options.builtOn} in ${(await session.clients()).region}`);
        amis = descendantsOf(amis, base.id);
      }
      let matches = new Map<string, string[]>();
      if (query && sbomDir) {
        const asked = await imagesHolding(amis, query, (ami) => sbomOfAmi(sbomDir, ami));
        for (const { image, why } of asked.unknown) ctx.log.warn(`${image.name} (${image.id}) could not be asked: ${why}`);
        matches = asked.matches;
        amis = amis.filter((a) => matches.has(a.id));
      }
      const rows = amis.map((a) => [
        a.name,
        a.id,
        a.createdAt.slice(0, 16).replace('T', ' '),
        query ? (matches.get(a.id) ?? []).join(', ') : (a.appversion ?? '-'),
      ]);
      ctx.print(
        query ? amis.map((a) => ({ ...a, matches: matches.get(a.id) })) : amis,
        rows.length === 0
          ? [options.withPackage || options.builtOn ? 'no AMI matches' : 'no AMIs baked by aminate here']
          : textTable([['NAME', 'ID', 'CREATED', query ? 'MATCHES' : 'PACKAGE'], ...rows]),
      );
      return 0;
    });
  },
};

const lineage: PluginCommand<Pick<AmiConfig, 'sbomDir'>> = {
  name: 'lineage',
  summary: 'print the chain from an AMI back to the image it was built on, with each root snapshot and its parent',
  arguments: [{ name: 'ami', description: 'AMI id, or the name of an AMI aminate baked', required: true }],
  options: [REGION_OPTION],
  async run(args, options, ctx: Context) {
    const ref = String(args[0]);
    return withEc2(options, async (session) => {
      const client = (await session.clients()).home;
      const first = AMI_ID.test(ref) ? await amiById(client, ref, ctx.signal) : findAmi(ref, await bakedAmis(client, ['self'], ctx.signal), 'ami');
      if (!first) throw new InvalidInputError('ami', `no AMI ${ref} in ${(await session.clients()).region}`);
      const { chain, missing } = await ancestryOf(first, (id) => amiById(client, id, ctx.signal));
      // Only this account's snapshots carry what an EBS direct bake wrote them on; a vendor's base is not asked.
      const links = await Promise.all(
        chain.map(async (ami) => ({
          ...ami,
          ...(ami.snapshotId && ami.ownerId === first.ownerId && ami.appversion
            ? { parentSnapshotId: await parentSnapshotOf(client, ami.snapshotId, ctx.signal) }
            : {}),
        })),
      );
      const lines = links.map((ami, depth) => {
        const what = ami.appversion ?? (ami.parentId ? '' : 'base');
        const snapshot = ami.snapshotId ? `, snapshot ${ami.snapshotId}${ami.parentSnapshotId ? ` (written on ${ami.parentSnapshotId})` : ''}` : '';
        return `${'  '.repeat(depth)}${depth === 0 ? '' : '↳ '}${ami.name} (${ami.id})${what ? `: ${what}` : ''}${snapshot}`;
      });
      if (missing) lines.push(`${'  '.repeat(links.length)}↳ ${missing}: deregistered, or not visible to this account`);
      ctx.print({ lineage: links, ...(missing ? { missingParent: missing } : {}) }, lines);
      return 0;
    });
  },
};

/** `aminate amis`: the AMI side of `aminate images` — lineage and package queries from aminate's tags. */
export const amisCommand: PluginCommand<Pick<AmiConfig, 'sbomDir'>> = {
  name: 'amis',
  summary: "the AMIs aminate baked: which hold a package, which were built on a base, and an AMI's lineage",
  subcommands: [list, lineage],
};
