import { z } from '@aminator/core';

/** A systemd unit name: nothing a shell or systemctl could read as anything else. */
export const UNIT_NAME = /^[A-Za-z0-9][A-Za-z0-9@._:-]{0,200}\.(service|socket|target|timer|mount|path|scope)$/;
/** `PORT/PATH`: a guest TCP port and the path to GET, e.g. `80/` or `8080/health`. */
export const HTTP_CHECK = /^(\d{1,5})(\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)$/;

/** Config section `verifier.qemu`. */
export const qemuConfigSchema = z
  .object({
    /** Units that must be active once the image reached multi-user.target. */
    units: z.array(z.string().regex(UNIT_NAME, 'a systemd unit name like nginx.service')).default([]),
    /** HTTP checks `PORT/PATH`, answered with 2xx or 3xx through a port forwarded to 127.0.0.1. */
    http: z.array(z.string().regex(HTTP_CHECK, 'PORT/PATH, e.g. 80/ or 8080/health')).default([]),
    /** auto: the image's preferred mode; both: boot twice, BIOS and UEFI. */
    bootMode: z.enum(['auto', 'bios', 'uefi', 'both']).default('auto'),
    /** Per boot, until the checks have run. TCG (no KVM) boots a cloud kernel in about a minute. */
    timeoutMs: z.number().int().min(10_000).max(3_600_000).default(300_000),
    memoryMiB: z.number().int().min(256).max(65_536).default(1024),
    cpus: z.number().int().min(1).max(64).default(2),
    accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
    /** OVMF firmware for UEFI boots (Debian's ovmf package). */
    ovmfCode: z.string().startsWith('/').default('/usr/share/OVMF/OVMF_CODE_4M.fd'),
    ovmfVars: z.string().startsWith('/').default('/usr/share/OVMF/OVMF_VARS_4M.fd'),
    /** AAVMF firmware for arm64 images (Debian's qemu-efi-aarch64 package; 64 MiB flash images, as qemu's virt machine needs). */
    aavmfCode: z.string().startsWith('/').default('/usr/share/AAVMF/AAVMF_CODE.fd'),
    aavmfVars: z.string().startsWith('/').default('/usr/share/AAVMF/AAVMF_VARS.fd'),
    /** Serial logs of the last runs are kept here (default: <workRoot>/../verify-logs). */
    logDir: z.string().startsWith('/').optional(),
    keepLogs: z.number().int().min(1).max(1000).default(20),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const check of config.http) {
      const port = Number(HTTP_CHECK.exec(check)?.[1]);
      if (port < 1 || port > 65_535) ctx.addIssue({ code: 'custom', message: `${check}: the port must be 1 to 65535`, path: ['http'] });
    }
  });

export type QemuConfig = z.infer<typeof qemuConfigSchema>;
