import { describeFaultMatrix } from './fault-matrix.js';
import { openLocalMatrixCloud } from './local-world.js';

describeFaultMatrix('fault matrix, local cloud: every step × error, SIGINT, SIGTERM, SIGHUP, kill -9 + aminate cleanup', 'local', () =>
  openLocalMatrixCloud('local', 'aminator-e2e-faults-local-'),
);
