import { openEbsDirectWorld } from './ebs-direct-world.js';
import { describeFaultMatrix } from './fault-matrix.js';
import { buildDeb } from './fixtures.js';

describeFaultMatrix(
  'fault matrix, EBS direct at the test endpoint: its steps × error, SIGINT, SIGTERM, kill -9 + aminate cleanup',
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
  // The steps where EBS direct's own plugins act (the others are the host plugins every matrix covers):
  // create-volume (copy, cache, working copy), attach/mount (its loop device), finalize (blocks written,
  // AMI registered) and cleanup (the complete image kept). Faults inside download and upload: ebs-direct.test.ts.
  ['create-volume', 'attach-volume', 'mount-volume', 'finalize', 'cleanup'],
);
