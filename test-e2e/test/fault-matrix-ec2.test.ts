import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BAKE_STEPS } from '@aminator/core';
import { openEc2World, type Ec2World } from './ec2-world.js';
import { FAULTS, matrixTable, runCell, type MatrixCloud } from './fault-matrix.js';
import { buildDeb } from './fixtures.js';

describe('fault matrix, EC2 test endpoint: every step × error, SIGINT, SIGTERM, SIGHUP, kill -9 + aminate cleanup', () => {
  let world: Ec2World;
  const cells = new Map<string, string>();
  const kept: string[] = [];
  let cloud: MatrixCloud;

  before(async () => {
    world = await openEc2World('aminator-e2e-faults-ec2-');
    const deb = buildDeb(world.scratch, 'fault-app');
    const ownImages = (): string[] => [...world.endpoint.world.images.values()]
      .filter((i) => i.state !== 'deregistered' && i.ownerId === world.endpoint.world.instance.accountId).map((i) => i.id);
    cloud = {
      name: 'ec2',
      bake: (suffix, options) => world.aminate(world.bakeArgs('--suffix', suffix, deb), options),
      cleanup: () => world.aminate(['-e', 'ec2_apt_linux', '--json', 'cleanup']),
      images: ownImages,
      assertNothingLeft: (keptImages) => world.assertNothingLeft(keptImages),
    };
  });
  after(async () => {
    const table = matrixTable('ec2', cells);
    console.log(`\n${table}\n`);
    // docs/RELIABILITY.md is made from this: AMINATOR_MATRIX_DIR=docs npm test
    if (process.env.AMINATOR_MATRIX_DIR) writeFileSync(join(process.env.AMINATOR_MATRIX_DIR, 'fault-matrix-ec2.md'), `${table}\n`);
    await world.close();
  });

  for (const step of BAKE_STEPS) {
    for (const fault of FAULTS) {
      it(`${step} × ${fault}`, async () => {
        try {
          cells.set(`${step}:${fault}`, await runCell(cloud, step, fault, kept));
        } catch (error) {
          cells.set(`${step}:${fault}`, 'FAIL');
          throw error;
        }
      });
    }
  }
});
