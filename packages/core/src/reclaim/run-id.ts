import { randomBytes } from 'node:crypto';

const RUN_ID = /^[0-9a-f]{12}$/;

/** A bake's run id: 12 hex digits. Work directories, run locks and resource ids are named by it. */
export function newRunId(): string {
  return randomBytes(6).toString('hex');
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}
