import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A program run without blocking this process (which may serve what the program talks to: the EC2
 * test endpoint, a registry), its output collected.
 */
export function runProcess(file: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', (error) => resolve({ code: 1, stdout, stderr: stderr + String(error) }));
    child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
