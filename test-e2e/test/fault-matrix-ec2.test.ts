import { openEc2World } from './ec2-world.js';
import { describeFaultMatrix } from './fault-matrix.js';
import { buildDeb } from './fixtures.js';

describeFaultMatrix('fault matrix, EC2 test endpoint: every step × error, SIGINT, SIGTERM, SIGHUP, kill -9 + aminate cleanup', 'ec2', async () => {
  const world = await openEc2World('aminator-e2e-faults-ec2-');
  const deb = buildDeb(world.scratch, 'fault-app');
  const { images, instance } = world.endpoint.world;
  return {
    cloud: {
      name: 'ec2',
      bake: (suffix, options) => world.aminate(world.bakeArgs('--suffix', suffix, deb), options),
      cleanup: () => world.aminate(['-e', 'ec2_apt_linux', '--json', 'cleanup']),
      images: () => [...images.values()].filter((i) => i.state !== 'deregistered' && i.ownerId === instance.accountId).map((i) => i.id),
      assertNothingLeft: (keptImages) => world.assertNothingLeft(keptImages),
    },
    close: () => world.close(),
  };
});
