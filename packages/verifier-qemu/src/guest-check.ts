import { plainText, type VerificationCheck } from '@aminator/core';

/** Where the check unit and its script go in the boot copy (never in the image itself). */
export const CHECK_SCRIPT = '/usr/local/lib/aminator-verify/check.sh';
export const CHECK_UNIT = 'aminator-verify.service';

/**
 * The guest side of a verification: once multi-user.target is reached, a one-shot unit writes a
 * report to `out`, a channel of its own (x86_64: the second serial port, ttyS1, the console staying
 * on ttyS0; arm64: a virtio-serial port, which udev may name a moment after the target is reached).
 * The nonce marks this boot's report; unit names were validated (UNIT_NAME) before they got here.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's own expansion (what follows `=` in $kv), not a template
const VALUE = '${kv#*=}';

export function checkScript(nonce: string, units: readonly string[], out = '/dev/ttyS1'): string {
  const names = ['multi-user.target', ...units].join(' ');
  const answers = `/run/aminator-verify.${nonce}`;
  return [
    '#!/bin/sh',
    '# written by aminate verify into a throwaway copy of the image',
    `out=${out}`,
    `r=${answers}`,
    'i=0; while [ ! -e "$out" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done',
    // A process costs ~0.1 s under TCG and the report waits for every one: the three questions run
    // side by side (two systemctl, one ip; a fourth only when units failed), shell builtins do the rest.
    // systemctl show prints one block per unit in the order asked, each with one ActiveState: the
    // k-th ActiveState is the k-th name's; the first ActiveEnterTimestampMonotonic is multi-user.target's.
    `systemctl show -p ActiveState -p ActiveEnterTimestampMonotonic ${names} > "$r.units" 2>&1 &`,
    // Monotonic µs since the kernel started: PID 1 started (initrd done); and how many units failed.
    'systemctl show -p UserspaceTimestampMonotonic -p NFailedUnits > "$r.manager" 2>&1 &',
    'ip -4 -o address show scope global > "$r.addresses" 2>&1 &',
    'wait',
    '{',
    `  echo "AMINATOR-VERIFY-BEGIN ${nonce}"`,
    `  set -- ${names}`,
    '  reached=; is=target',
    '  while read -r kv; do',
    '    case $kv in',
    `      ActiveState=*) echo "$is $1 ${VALUE}"; is=unit; shift ;;`,
    `      ActiveEnterTimestampMonotonic=*) [ -n "$reached" ] || reached=${VALUE} ;;`,
    '    esac',
    '  done < "$r.units"',
    '  userspace=; nfailed=',
    '  while read -r kv; do',
    '    case $kv in',
    `      UserspaceTimestampMonotonic=*) userspace=${VALUE} ;;`,
    `      NFailedUnits=*) nfailed=${VALUE} ;;`,
    '    esac',
    '  done < "$r.manager"',
    '  [ "$nfailed" = 0 ] || systemctl list-units --state=failed --plain --no-legend --no-pager | while read -r unit rest; do echo "failed $unit"; done',
    '  while read -r n dev fam addr rest; do [ "$fam" = inet ] && echo "address $dev $addr"; done < "$r.addresses"',
    '  read -r uptime rest < /proc/uptime',
    '  echo "timing $userspace $reached $uptime"',
    `  echo "AMINATOR-VERIFY-END ${nonce}"`,
    '} > "$out" 2>&1',
    '',
  ].join('\n');
}

export function checkUnit(): string {
  return [
    '[Unit]',
    'Description=aminate verify: report the boot to the host',
    'After=multi-user.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=/bin/sh ${CHECK_SCRIPT}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** Where the drop-in for the serial console's getty goes, in the boot copy of `aminate boot` only. */
export function autologinDropInPath(consoleTty: string): string {
  return `/etc/systemd/system/serial-getty@${consoleTty}.service.d/aminator-autologin.conf`;
}

export function autologinDropIn(): string {
  return [
    '# written by aminate boot into a throwaway copy of the image',
    '[Service]',
    'ExecStart=',
    'ExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 - $TERM',
    '',
  ].join('\n');
}

export interface GuestReport {
  readonly multiUser: string;
  readonly units: ReadonlyMap<string, string>;
  readonly failed: readonly string[];
  readonly addresses: readonly string[];
  /** Seconds since the kernel started: PID 1 started (kernel and initrd done), multi-user reached, the report written. */
  readonly timing?: { readonly userspace: number; readonly multiUser: number; readonly report: number };
}

/** This boot's report from the check channel, or undefined while it is incomplete. */
export function parseReport(text: string, nonce: string): GuestReport | undefined {
  const begin = text.indexOf(`AMINATOR-VERIFY-BEGIN ${nonce}`);
  const end = text.indexOf(`AMINATOR-VERIFY-END ${nonce}`, begin);
  if (begin < 0 || end < 0) return undefined;
  const units = new Map<string, string>();
  const failed: string[] = [];
  const addresses: string[] = [];
  let multiUser = 'unknown';
  let timing: GuestReport['timing'];
  // The guest wrote every byte of it: unit names and states are quoted to the user's terminal.
  for (const line of plainText(text.slice(begin, end)).split('\n').slice(1)) {
    const [what, name = '', state = ''] = line.trim().split(/\s+/);
    if (what === 'target' && name === 'multi-user.target') multiUser = state;
    else if (what === 'unit') units.set(name, state);
    else if (what === 'failed' && name) failed.push(name);
    else if (what === 'address') addresses.push(`${name} ${state}`);
    else if (what === 'timing') {
      const [userspace, reached, uptime] = line.trim().split(/\s+/).slice(1).map(Number);
      if ([userspace, reached, uptime].every((n) => Number.isFinite(n) && (n as number) > 0)) {
        timing = { userspace: (userspace as number) / 1e6, multiUser: (reached as number) / 1e6, report: uptime as number };
      }
    }
  }
  return { multiUser, units, failed, addresses, timing };
}

/** The guest-side checks of a report. */
export function reportChecks(report: GuestReport, units: readonly string[]): VerificationCheck[] {
  return [
    { name: 'reached multi-user.target', ok: report.multiUser === 'active', detail: report.multiUser === 'active' ? undefined : report.multiUser },
    ...units.map((unit) => {
      const state = report.units.get(unit) ?? 'unknown';
      return { name: `${unit} is active`, ok: state === 'active', detail: state === 'active' ? undefined : state };
    }),
    { name: 'no failed units', ok: report.failed.length === 0, detail: report.failed.length > 0 ? report.failed.join(', ') : undefined },
  ];
}
