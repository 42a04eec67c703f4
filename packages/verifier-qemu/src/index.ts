import { definePlugin, PLUGIN_API_VERSION, VERIFIER } from '@aminator/core';
import { qemuConfigSchema } from './qemu-config.js';
import { QemuVerifier } from './qemu-verifier.js';

export { checkScript, checkUnit, type GuestReport, parseReport, reportChecks } from './guest-check.js';
export { freePort, httpCheck } from './host-checks.js';
export { HTTP_CHECK, type QemuConfig, qemuConfigSchema, UNIT_NAME } from './qemu-config.js';
export { QemuErrorCodes } from './qemu-errors.js';
export { nativeGuest, type QemuMachine, qemuMachine, REPORT_PORT, type ReportChannel } from './qemu-machine.js';
export { QEMU_TOOLS } from './qemu-tools.js';
export { bootTimes, QemuVerifier } from './qemu-verifier.js';
export { type Forward, kvmUsable, qemuArgs, type RunningVm, startVm, type VmOptions } from './qemu-vm.js';
export { findVerifyLeftovers } from './verify-leftovers.js';

export default definePlugin({
  kind: 'verifier',
  name: 'qemu',
  apiVersion: PLUGIN_API_VERSION,
  summary: 'Boot the baked image in qemu (BIOS or UEFI, KVM or TCG) and check units and HTTP endpoints',
  configSchema: qemuConfigSchema,
  options: [
    {
      flag: 'verify-unit',
      key: 'units',
      type: 'list',
      valueName: 'unit',
      description: 'with --verify: this systemd unit must be active after boot (repeatable)',
    },
    {
      flag: 'verify-http',
      key: 'http',
      type: 'list',
      valueName: 'port/path',
      description: 'with --verify: GET this guest port and path, expect 2xx/3xx (repeatable), e.g. 80/',
    },
    {
      flag: 'verify-boot-mode',
      key: 'bootMode',
      type: 'string',
      valueName: 'mode',
      description: 'auto (as the image prefers), bios, uefi, or both (two boots)',
    },
    { flag: 'verify-timeout', key: 'timeoutMs', type: 'number', valueName: 'ms', description: 'per boot, until the checks ran (default 300000)' },
  ],
  register(container) {
    container.register(VERIFIER, { useClass: QemuVerifier });
  },
});
