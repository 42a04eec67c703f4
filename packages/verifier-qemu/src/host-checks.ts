import { request } from 'node:http';
import { createServer } from 'node:net';
import { retryUntil, type VerificationCheck } from '@aminator/core';

/** A free TCP port on 127.0.0.1 for a forward (bound and released; qemu binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function get(port: number, path: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 5_000, signal }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.once('error', reject);
    req.end();
  });
}

/**
 * `GET path` on the guest's port through its forward, from the host: 2xx or 3xx passes. The service
 * may still be starting when the guest reports, so it is asked again for up to `withinMs`.
 */
export async function httpCheck(hostPort: number, guestPort: number, path: string, signal: AbortSignal, withinMs = 20_000): Promise<VerificationCheck> {
  const name = `GET :${guestPort}${path} answers 2xx/3xx`;
  const answered = async (): Promise<number> => {
    const status = await get(hostPort, path, signal);
    if (status >= 200 && status < 400) return status;
    throw new Error(`HTTP ${status}`);
  };
  try {
    const status = await retryUntil(answered, { retryable: () => true, withinMs, firstDelayMs: 1_000, factor: 1, signal });
    return { name, ok: true, detail: `HTTP ${status}` };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { name, ok: false, detail: (error as Error).message };
  }
}
