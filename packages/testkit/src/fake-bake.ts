import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container as rootContainer } from '@aminator/core';
import {
  BAKE_SETTINGS,
  type BakeRequest,
  type BakeSettings,
  CLOUD,
  EVENT_SINK,
  type Failpoint,
  FINALIZER,
  FileLockManager,
  LOCK_MANAGER,
  METRICS,
  OS,
  PROVISIONER,
  type RunOutcome,
  RunPipeline,
  VOLUME,
} from '@aminator/core/internal';
import { FakeCloud } from './fake-cloud.js';
import { FakeFinalizer } from './fake-finalizer.js';
import { FakeMetrics } from './fake-metrics.js';
import { FakeOs } from './fake-os.js';
import { FakeProvisioner } from './fake-provisioner.js';
import { FakeVerifier } from './fake-verifier.js';
import { FakeVolume } from './fake-volume.js';
import { type FakeBehaviour, FakeWorld } from './fake-world.js';
import { EventRecorder } from './test-step-context.js';

export interface FakeBakeOptions extends FakeBehaviour {
  readonly packageSpec?: string;
  readonly preserveOnError?: boolean;
  readonly dryRun?: boolean;
  readonly failpoints?: readonly Failpoint[];
  readonly abortGraceMs?: number;
  /** Abort the run with this reason once `hangAt`'s method starts waiting. */
  readonly signal?: AbortSignal;
  /**
   * Run the verify step with a FakeVerifier (`failAt: 'verify'` fails it); `keepUnverified` as the
   * flag; `byVolume`: the cloud has no `imageDisk`, so core attaches a volume made from the image.
   */
  readonly verify?: { readonly keepUnverified?: boolean; readonly byVolume?: boolean };
  /** Run `aminate verify` on this image instead of a bake (implies a FakeVerifier). */
  readonly verifyImage?: string;
}

export interface FakeBakeResult {
  readonly outcome: RunOutcome;
  readonly world: FakeWorld;
  readonly events: EventRecorder;
  readonly metrics: FakeMetrics;
  readonly verifier?: FakeVerifier;
}

/** The whole pipeline over fakes of every kind, in a child container of its own. */
export async function runFakeBake(options: FakeBakeOptions = {}): Promise<FakeBakeResult> {
  const workRoot = await mkdtemp(join(tmpdir(), 'aminator-fake-'));
  try {
    const world = new FakeWorld(options);
    const events = new EventRecorder();
    const metrics = new FakeMetrics();
    const run = rootContainer.createChildContainer();
    const verifier = options.verify || options.verifyImage ? new FakeVerifier(world) : undefined;
    const settings: BakeSettings = {
      workRoot,
      abortGraceMs: options.abortGraceMs ?? 2000,
      failpoints: options.failpoints ?? [],
      verify: verifier && { verifier, keepUnverified: options.verify?.keepUnverified === true },
    };
    run.register(BAKE_SETTINGS, { useValue: settings });
    run.register(EVENT_SINK, { useValue: events });
    run.register(LOCK_MANAGER, { useValue: new FileLockManager(join(workRoot, 'locks'), settings.runId ?? 'fake') });
    run.register(METRICS, { useValue: metrics });
    const cloud = new FakeCloud(world);
    run.register(CLOUD, { useValue: options.verify?.byVolume ? Object.assign(cloud, { imageDisk: undefined }) : cloud });
    run.register(VOLUME, { useValue: new FakeVolume(world) });
    run.register(OS, { useValue: new FakeOs(world) });
    run.register(PROVISIONER, { useValue: new FakeProvisioner(world) });
    run.register(FINALIZER, { useValue: new FakeFinalizer(world) });
    const request: BakeRequest = {
      packageSpec: options.packageSpec ?? 'hello',
      environment: 'fake',
      dryRun: options.dryRun ?? false,
      preserveOnError: options.preserveOnError ?? false,
    };
    const signal = options.signal ?? new AbortController().signal;
    const pipeline = run.resolve(RunPipeline);
    const outcome =
      options.verifyImage === undefined
        ? await pipeline.run(request, signal)
        : await pipeline.verifyImage(
            { imageRef: options.verifyImage, environment: 'fake', cloud: 'fake', dryRun: request.dryRun, preserveOnError: request.preserveOnError },
            signal,
          );
    return { outcome, world, events, metrics, verifier };
  } finally {
    await rm(workRoot, { recursive: true, force: true });
  }
}
