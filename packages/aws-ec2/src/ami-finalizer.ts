import type { BakePlan, FinalizeInput, Finalizer, ImageResult, Leftover, LeftoverContext, PlanContext, StepContext } from '@aminator/core';
import type { AmiConfig } from './ami-config.js';
import { AmiPublisher } from './ami-publisher.js';
import type { Ec2Session } from './ec2-session.js';

/**
 * What every AMI-making finalizer shares: the publisher, the plan checks and the plan line. A
 * finalizer adds how it makes the root snapshot (`finalize`) and what a killed bake leaves of it.
 */
export abstract class AmiFinalizer implements Finalizer {
  protected readonly publisher: AmiPublisher;

  constructor(
    config: AmiConfig,
    protected readonly session: Ec2Session,
  ) {
    this.publisher = new AmiPublisher(config, session);
  }

  /** The finalizer's name and how it makes the snapshot, for the plan line. */
  protected abstract readonly planWords: { readonly name: string; readonly snapshot: string };
  /** Tags the finalizer puts on the snapshot beside the image's: they count against EC2's limit too. */
  protected readonly ownSnapshotTags: number = 0;

  preflight(plan: BakePlan, ctx: PlanContext): Promise<void> {
    return this.publisher.preflight(plan, ctx, this.ownSnapshotTags);
  }

  describePlan(plan: BakePlan): readonly string[] {
    return [`finalizer ${this.planWords.name}: ${this.publisher.describe(plan, this.planWords.snapshot)}`];
  }

  abstract finalize(input: FinalizeInput, ctx: StepContext): Promise<ImageResult>;
  abstract findLeftovers(ctx: LeftoverContext): Promise<readonly Leftover[]>;
}
