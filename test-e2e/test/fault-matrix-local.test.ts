import { describeFaultMatrix } from './fault-matrix.js';
import { buildDeb } from './fixtures.js';
import { openLocalWorld } from './local-world.js';

describeFaultMatrix('fault matrix, local cloud: every step × error, SIGINT, SIGTERM, SIGHUP, kill -9 + aminate cleanup', 'local', async () => {
  const world = await openLocalWorld('aminator-e2e-faults-local-');
  const deb = buildDeb(world.scratch, 'fault-app');
  return {
    cloud: {
      name: 'local',
      bake: (suffix, options) => world.aminate(['--json', 'bake', '--suffix', suffix, deb], options),
      cleanup: () => world.aminate(['--json', 'cleanup']),
      images: () => world.images(),
      assertNothingLeft: () => world.assertNothingLeft(),
    },
    close: () => world.close(),
  };
});
