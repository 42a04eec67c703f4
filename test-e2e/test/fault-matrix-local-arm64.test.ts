import { describe } from 'node:test';
import { describeFaultMatrix } from './fault-matrix.js';
import { openLocalMatrixCloud } from './local-world.js';

const TITLE = 'fault matrix, local cloud, arm64 base (programs under qemu-user): every step × error, SIGINT, SIGTERM, SIGHUP, kill -9 + aminate cleanup';

// An emulated bake is ~4× slower and the base is a foreign debootstrap (2.4 min once, then cached): run on
// purpose with AMINATOR_E2E_ARM64=1 (`npm run test:arm64`), like the arm64 end-to-end test.
if (process.env.AMINATOR_E2E_ARM64 === '1') {
  describeFaultMatrix(TITLE, 'local-arm64', () => openLocalMatrixCloud('local-arm64', 'aminator-e2e-faults-arm64-', { arch: 'arm64' }));
} else {
  describe(TITLE, { skip: 'set AMINATOR_E2E_ARM64=1 (npm run test:arm64)' }, () => {});
}
