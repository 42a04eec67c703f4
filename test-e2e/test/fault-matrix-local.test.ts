import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BAKE_STEPS } from '@aminator/core';
import { buildDeb } from './fixtures.js';
import { FAULTS, matrixTable, runCell, type MatrixCloud } from './fault-matrix.js';
import { openLocalWorld, type LocalWorld } from './local-world.js';

describe('fault matrix, local cloud: every step × error, SIGINT, SIGTERM, SIGHUP, kill -9 + aminate cleanup', () => {
  let world: LocalWorld;
  let deb: string;
  const cells = new Map<string, string>();
  const kept: string[] = [];
  let cloud: MatrixCloud;

  before(async () => {
    world = await openLocalWorld('aminator-e2e-faults-local-');
    deb = buildDeb(world.scratch, 'fault-app');
    cloud = {
      name: 'local',
      bake: (suffix, options) => world.aminate(['--json', 'bake', '--suffix', suffix, deb], options),
      cleanup: () => world.aminate(['--json', 'cleanup']),
      images: () => world.images(),
      assertNothingLeft: () => world.assertNothingLeft(),
    };
  });
  after(() => {
    const table = matrixTable('local', cells);
    console.log(`\n${table}\n`);
    // docs/RELIABILITY.md is made from this: AMINATOR_MATRIX_DIR=docs npm test
    if (process.env.AMINATOR_MATRIX_DIR) writeFileSync(join(process.env.AMINATOR_MATRIX_DIR, 'fault-matrix-local.md'), `${table}\n`);
    world.close();
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
