import { AminatorError, type LeftoverContext, type StepContext } from '@aminator/core';
import { CreateTagsCommand, type EC2Client, type Filter, type Tag } from '@aws-sdk/client-ec2';
import { persistently } from './cleanup-calls.js';
import { Ec2ErrorCodes, isEc2Code } from './ec2-errors.js';

/**
 * The tag on everything a bake creates in the account that `aminate cleanup --expired` may reclaim
 * from another host: the time (ISO 8601, UTC) until which the bake that made it answers for it.
 */
export const LEASE_TAG = 'lease_until';

/** How long a lease runs and how much later than its end another host may act on it. */
export interface LeaseTerms {
  readonly leaseMs: number;
  /** For clocks that disagree: a host whose clock runs ahead by less than this never acts early. */
  readonly marginMs: number;
}

export const DEFAULT_LEASE_SECONDS = 1800;
export const DEFAULT_LEASE_MARGIN_SECONDS = 300;

export function leaseTermsOf(config: { readonly leaseSeconds?: number; readonly leaseMarginSeconds?: number }): LeaseTerms {
  return {
    leaseMs: (config.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000,
    marginMs: (config.leaseMarginSeconds ?? DEFAULT_LEASE_MARGIN_SECONDS) * 1000,
  };
}

/** The lease a resource is created with: held until one lease from now. */
export function leaseTag(terms: LeaseTerms, now = Date.now()): Tag {
  return { Key: LEASE_TAG, Value: new Date(now + terms.leaseMs).toISOString() };
}

/**
 * When a resource's lease ended, if it ended more than the margin ago; undefined while it runs, and
 * for a resource without a readable lease (made by an older version, or tagged by hand): what cannot
 * be shown to be abandoned is never reclaimed from another host.
 */
export function expiredLease(tags: Readonly<Record<string, string>>, terms: LeaseTerms, now = Date.now()): string | undefined {
  const until = Date.parse(tags[LEASE_TAG] ?? '');
  return Number.isFinite(until) && until + terms.marginMs < now ? new Date(until).toISOString() : undefined;
}

/** What holds a lease: the step that made the resource, whose run stops if the lease cannot be kept. */
export type LeaseHolder = Pick<StepContext, 'log' | 'abortRun'>;

/**
 * Renews the leases of what this bake created, every third of a lease, until each is released (or
 * gone: deleted by the bake's own undo). A renewal that fails is said and tried again at the next
 * turn; when the next turn would come after the lease's end, the run is stopped instead — while the
 * lease still runs, so its undo deletes what it made before another host's `cleanup --expired` may.
 */
export class LeaseKeeper {
  private readonly held = new Map<string, { readonly holder: LeaseHolder; renewedAt: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: () => Promise<EC2Client>,
    readonly terms: LeaseTerms,
    /** Whether EC2 may not show a new id yet: its NotFound then means nothing. */
    private readonly mayBeHidden: (id: string) => boolean = () => false,
  ) {}

  /**
   * A lease for a resource about to be created: `tag` goes into its creation request, `hold` starts
   * keeping it once the id is known, counting from the time the tag names (one clock read for both).
   */
  begin(): { readonly tag: Tag; hold(id: string, holder: LeaseHolder): void } {
    const taggedAt = Date.now();
    return { tag: leaseTag(this.terms, taggedAt), hold: (id, holder) => this.hold(id, holder, taggedAt) };
  }

  /** Keep the lease of `id`, whose tag says `leaseTag(terms, taggedAt)` (set at its creation). */
  hold(id: string, holder: LeaseHolder, taggedAt = Date.now()): void {
    this.held.set(id, { holder, renewedAt: taggedAt });
    // Unref'd: a lease never keeps aminate running; a process that ends stops renewing, as it should.
    this.timer ??= setInterval(() => void this.renew(), this.turnMs).unref();
  }

  release(id: string): void {
    this.held.delete(id);
    if (this.held.size === 0) this.stop();
  }

  /** One renewal of every lease held (also what the timer runs). */
  async renew(): Promise<void> {
    const leases = [...this.held];
    if (leases.length === 0) return;
    const client = await this.client();
    const now = Date.now();
    const tag = leaseTag(this.terms, now);
    await Promise.all(
      leases.map(async ([id, lease]) => {
        try {
          await persistently(() => client.send(new CreateTagsCommand({ Resources: [id], Tags: [tag] })));
          lease.renewedAt = now;
        } catch (error) {
          if (isEc2Code(error, 'InvalidVolume.NotFound', 'InvalidSnapshot.NotFound') && !this.mayBeHidden(id)) this.held.delete(id);
          else if (Date.now() + this.turnMs < lease.renewedAt + this.terms.leaseMs) {
            lease.holder.log.warn(`could not renew the lease of ${id} (${(error as Error).message}); trying again in ${this.turnMs / 1000} s`);
          } else {
            this.held.delete(id);
            lease.holder.abortRun(this.lost(id, lease.renewedAt, error as Error));
          }
        }
      }),
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private get turnMs(): number {
    return this.terms.leaseMs / 3;
  }

  private lost(id: string, renewedAt: number, error: Error): AminatorError {
    const ends = new Date(renewedAt + this.terms.leaseMs).toISOString();
    const reclaimable = new Date(renewedAt + this.terms.leaseMs + this.terms.marginMs).toISOString();
    return new AminatorError(
      `the lease of ${id} could not be renewed (${error.message}) and ends at ${ends}; from ${reclaimable} another host's \`aminate cleanup --expired\` may delete it, so the bake stops now and removes what it made`,
      {
        code: Ec2ErrorCodes.LEASE_LOST,
        retryable: true,
        cause: error,
        suggestions: ['bake again once EC2 answers CreateTags; for longer outages of the API, a longer lease: --lease-seconds'],
      },
    );
  }
}

/**
 * Why a resource a bake tagged (`host`, `run_id`, `pid`, `lease_until`) counts as abandoned, or
 * undefined while it does not: one of this host's by its run (which this host can see), another
 * host's only under `cleanup --expired` and only once its lease has run out.
 */
export async function abandonment(tags: Readonly<Record<string, string>>, host: string, terms: LeaseTerms, ctx: LeftoverContext): Promise<string | undefined> {
  const runId = tags.run_id ?? '';
  if (tags.host === host) {
    const pid = Number(tags.pid);
    return (await ctx.runs.isAlive(runId, Number.isInteger(pid) ? pid : undefined)) ? undefined : `run ${runId || '?'} (pid ${tags.pid ?? '?'}) is not running`;
  }
  if (!ctx.expired) return undefined;
  const ended = expiredLease(tags, terms);
  return ended ? `its lease ran out at ${ended} (run ${runId || '?'} on ${tags.hostname || tags.host || 'another host'})` : undefined;
}

/** What a search for a bake's resources filters on besides their purpose: this host's, or with --expired any host's. */
export function hostFilters(host: string, ctx: Pick<LeftoverContext, 'expired'>): Filter[] {
  return ctx.expired ? [] : [{ Name: 'tag:host', Values: [host] }];
}
