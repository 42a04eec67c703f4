import { type PortForward, UsageError } from '@aminator/core/internal';
import { renderedRun } from './rendered-run.js';
import type { ImageCommandInput } from './verify.js';

interface BootFlags {
  forward?: string[];
  dryRun?: boolean;
  json?: boolean;
}

const FORWARD = /^(\d{1,5}):(\d{1,5})$/;

/** `--forward HOST:GUEST`, each port 1–65535, no host port twice. */
export function parseForwards(values: readonly string[]): PortForward[] {
  const forwards = values.map((value) => {
    const [, host = '', guest = ''] = FORWARD.exec(value) ?? [];
    const ports = [Number(host), Number(guest)];
    if (!host || ports.some((p) => p < 1 || p > 65_535)) {
      throw new UsageError(`--forward ${value}: expected HOST:GUEST with ports 1 to 65535, e.g. 8080:80`);
    }
    return { hostPort: Number(host), guestPort: Number(guest) };
  });
  const hosts = forwards.map((f) => f.hostPort);
  const twice = hosts.find((p, i) => hosts.indexOf(p) !== i);
  if (twice !== undefined) throw new UsageError(`--forward: host port ${twice} is given twice`);
  return forwards;
}

/** `aminate boot IMAGE`: the environment's verifier boots a copy of the image on this terminal. */
export async function boot(input: ImageCommandInput): Promise<number> {
  const flags = input.command.optsWithGlobals<BootFlags>();
  if (flags.json) throw new UsageError("--json does not go with boot: the machine's console is on stdout");
  const forwards = parseForwards(flags.forward ?? []);
  return renderedRun(input, { verify: { keepUnverified: true }, plain: true }, (pipeline, preserveOnError, signal) =>
    pipeline.bootImage(
      {
        imageRef: input.imageRef,
        environment: input.environment,
        cloud: input.plugins.cloud.plugin.name,
        dryRun: flags.dryRun === true,
        preserveOnError,
        forwards,
      },
      signal,
    ),
  );
}
