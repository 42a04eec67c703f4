import { basename, join } from 'node:path';

/** The two names one slot goes by: the kernel may present `/dev/sdf` as `/dev/xvdf` and the reverse. */
export function slotNames(devRoot: string, letter: string): [string, string] {
  return [join(devRoot, `sd${letter}`), join(devRoot, `xvd${letter}`)];
}

/** `/dev/sdf` ↔ `/dev/xvdf`, `/dev/xvdg` ↔ `/dev/sdg`; undefined for other names. */
export function twinName(device: string): string | undefined {
  const name = basename(device);
  const dir = device.slice(0, device.length - name.length);
  if (/^xvd[a-z]+$/.test(name)) return `${dir}sd${name.slice(3)}`;
  if (/^sd[a-z]+$/.test(name)) return `${dir}xvd${name.slice(2)}`;
  return undefined;
}

/** The udev link of an NVMe EBS volume: its serial is the volume id without the dash. */
export function nvmeLink(byIdDir: string, volumeId: string): string {
  return join(byIdDir, `nvme-Amazon_Elastic_Block_Store_${volumeId.replace('-', '')}`);
}

/** Lock name for a slot or an explicit device. */
export function lockName(deviceOrLetter: string): string {
  return `blockdevice-${basename(deviceOrLetter).replace(/[^A-Za-z0-9._-]/g, '_')}`;
}
