import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandRunner } from '@aminator/core';

export interface LoopOptions {
  readonly offsetBytes?: number;
  readonly sizeBytes?: number;
  readonly readOnly?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Attach `file` (or a device) to a free loop device; returns its path, e.g. /dev/loop4.
 * An abort stops it from starting but never interrupts losetup: killed after attaching and before
 * printing the name, it would leave a loop device nobody knows to detach.
 */
export async function attachLoop(commands: CommandRunner, file: string, options: LoopOptions = {}): Promise<string> {
  if (options.signal?.aborted) throw options.signal.reason;
  const args = ['--find', '--show'];
  if (options.offsetBytes) args.push('--offset', String(options.offsetBytes));
  if (options.sizeBytes) args.push('--sizelimit', String(options.sizeBytes));
  if (options.readOnly) args.push('--read-only');
  const { stdout } = await commands.run('losetup', [...args, '--', file], { timeoutMs: 30_000 });
  return stdout.trim();
}

export async function detachLoop(commands: CommandRunner, device: string): Promise<void> {
  await commands.run('losetup', ['--detach', device], { timeoutMs: 30_000 });
}

/** Detach, and count a loop device that meanwhile went away (autoclear, another cleanup) as detached. */
export async function detachLoopIfAttached(commands: CommandRunner, device: string): Promise<void> {
  try {
    await detachLoop(commands, device);
  } catch (error) {
    if (isLoopAttached(device)) throw error;
  }
}

function isLoopAttached(device: string): boolean {
  return existsSync(`/sys/block/${basename(device)}/loop/backing_file`);
}

export interface LoopInfo {
  readonly name: string;
  readonly backFile: string;
  readonly offset: number;
}

/** Loop devices in use and what backs them. */
export async function listLoops(commands: CommandRunner): Promise<LoopInfo[]> {
  const { stdout } = await commands.run('losetup', ['--json', '--list', '--output', 'NAME,BACK-FILE,OFFSET']);
  if (!stdout.trim()) return [];
  const parsed = JSON.parse(stdout) as { loopdevices?: Array<{ name: string; 'back-file': string | null; offset: number | string }> };
  return (parsed.loopdevices ?? []).map((l) => ({ name: l.name, backFile: l['back-file'] ?? '', offset: Number(l.offset) }));
}
