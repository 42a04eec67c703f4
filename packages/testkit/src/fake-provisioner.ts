import { type InstalledPackage, InvalidInputError, type PackageSpec, type Provisioner, type ProvisionInput, type StepContext } from '@aminator/core/internal';
import { beforeStep, maybeFail } from './fake-step.js';
import type { FakeWorld } from './fake-world.js';

const NAME = /^[a-z0-9][a-z0-9+.-]*$/;

/** Accepts Debian-style names; "installs" by returning version 1.0-1. */
export class FakeProvisioner implements Provisioner {
  constructor(private readonly world: FakeWorld) {}

  parseSpec(raw: string): PackageSpec {
    if (!NAME.test(raw)) throw new InvalidInputError('package', `"${raw}" is not a package name`, ['use a name like hello or nginx']);
    return { raw, source: 'repository', name: raw };
  }

  async provision(input: ProvisionInput, ctx: StepContext): Promise<InstalledPackage> {
    await beforeStep(this.world, 'provision', ctx.signal);
    // Output as a package manager prints it, so that renderers have something to show.
    const name = input.spec.name ?? input.spec.raw;
    for (const line of [
      'Reading package lists...',
      'Building dependency tree...',
      `The following NEW packages will be installed:\n  ${name}`,
      `Unpacking ${name} (1.0-1) ...`,
    ])
      ctx.log.info(line);
    if (this.world.behaviour.failAt === 'provision') ctx.log.info(`E: fake failure installing ${name}`);
    maybeFail(this.world, 'provision');
    ctx.log.info(`Setting up ${name} (1.0-1) ...`);
    return { name: input.spec.name ?? input.spec.raw, version: '1.0', release: '1', arch: 'amd64' };
  }
}
