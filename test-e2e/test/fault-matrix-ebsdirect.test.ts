import { openEbsDirectWorld } from './ebs-direct-world.js';
import { describeFaultMatrix } from './fault-matrix.js';
import { buildDeb } from './fixtures.js';

describeFaultMatrix(
  'fault matrix, EBS direct at the test endpoint: every step × error, SIGINT, SIGTERM, kill -9 + aminate cleanup',
  'ebsdirect',
  async () => {
    const world = await openEbsDirectWorld('aminator-e2e-faults-ebsdirect-');
    const deb = buildDeb(world.scratch, 'fault-app');
    const { images, instance } = world.endpoint.world;
    return {
      cloud: {
        name: 'ebsdirect',
        bake: (suffix, options) => world.aminate(world.bakeArgs('--suffix', suffix, deb), options),
        cleanup: () => world.aminate(['-e', 'ebsdirect_apt_linux', '--json', 'cleanup']),
        images: () => [...images.values()].filter((i) => i.state !== 'deregistered' && i.ownerId === instance.accountId).map((i) => i.id),
        assertNothingLeft: (keptImages) => world.assertNothingLeft(keptImages),
      },
      close: () => world.close(),
    };
  },
  ['error', 'sigint', 'sigterm', 'sigkill'],
);
