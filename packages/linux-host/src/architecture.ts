import { AminatorError, EXIT_USAGE, InvalidInputError } from '@aminator/core';
import { LinuxErrorCodes } from './errors.js';
import { PartitionTypes } from './partition-table.js';

/** One CPU architecture under each name the tools give it. */
export interface Architecture {
  /** The name images carry (EC2's `Architecture`, the local manifest): `x86_64`, `arm64`. */
  readonly machine: string;
  /** dpkg's name: `amd64`, `arm64`. */
  readonly dpkg: string;
  /** rpm's name: `x86_64`, `aarch64`. */
  readonly rpm: string;
  /** ELF e_machine: what a binfmt_misc handler matches in a program's header. */
  readonly elfMachine: number;
  /** Node's `process.arch`. */
  readonly node: string;
  /** The qemu user-mode emulator's suffix: `qemu-aarch64`. */
  readonly qemu: string;
  /** The GPT type of a root partition for it (the Discoverable Partitions Specification). */
  readonly gptRootType: string;
}

export const ARCHITECTURES: readonly Architecture[] = [
  { machine: 'x86_64', dpkg: 'amd64', rpm: 'x86_64', elfMachine: 0x3e, node: 'x64', qemu: 'x86_64', gptRootType: PartitionTypes.rootX86_64 },
  { machine: 'arm64', dpkg: 'arm64', rpm: 'aarch64', elfMachine: 0xb7, node: 'arm64', qemu: 'aarch64', gptRootType: PartitionTypes.rootArm64 },
];

/** The architecture any of its names stands for (`amd64`, `x86_64`, `aarch64`, `arm64`), or undefined. */
export function findArchitecture(name: string): Architecture | undefined {
  return ARCHITECTURES.find((a) => a.machine === name || a.dpkg === name || a.rpm === name);
}

/** Like findArchitecture, for input: an unknown name is refused with the ones aminate knows. */
export function parseArchitecture(name: string, what = 'architecture'): Architecture {
  const found = findArchitecture(name);
  if (found) return found;
  const known = ARCHITECTURES.flatMap((a) => [...new Set([a.machine, a.dpkg, a.rpm])]);
  throw new InvalidInputError(what, `"${name}" is not an architecture aminate knows`, [`use one of ${known.join(', ')}`]);
}

/** The architecture this host runs; undefined on one aminate has no table row for. */
export function hostArchitecture(nodeArch: string = process.arch): Architecture | undefined {
  return ARCHITECTURES.find((a) => a.node === nodeArch);
}

/** What an `--arch` option names, or the host's architecture when it names none. */
export function requestedArchitecture(value: unknown, option = '--arch'): Architecture {
  if (value !== undefined && value !== '') return parseArchitecture(String(value), option);
  const host = hostArchitecture();
  if (host) return host;
  throw new InvalidInputError(option, `this host's architecture (${process.arch}) is not one aminate knows`, [
    `name one: ${ARCHITECTURES.map((a) => a.machine).join(', ')}`,
  ]);
}

/**
 * Refuse (exit 2, before any work) a package file built for another architecture than the base
 * image's: the package manager would only fail half-way, or install programs that cannot run.
 * `neutral` names what runs anywhere (`all`, `noarch`). Nothing is checked when the image does not say.
 */
export function requirePackageFitsImage(file: string, packageArch: string, baseArchitecture: string | undefined, neutral: readonly string[]): void {
  if (baseArchitecture === undefined || neutral.includes(packageArch)) return;
  const base = findArchitecture(baseArchitecture);
  const pkg = findArchitecture(packageArch);
  if (base && pkg?.machine === base.machine) return;
  if (!base && packageArch === baseArchitecture) return;
  throw new AminatorError(`${file} is built for ${packageArch}, the base image is ${base?.machine ?? baseArchitecture}`, {
    code: LinuxErrorCodes.ARCH_MISMATCH,
    exitCode: EXIT_USAGE,
    suggestions: [`use the ${base?.dpkg ?? baseArchitecture} build of the package, or a base image for ${pkg?.machine ?? packageArch}`],
  });
}
