import { describePairingProblem, isOptionalKind, kindsIn, pairingProblems } from '@aminator/core/host';
import { printJson, printLines } from '../cli/output.js';
import type { Session } from '../cli/session.js';

/** `aminate environments`: the configured plugin sets, the default, and what is installed. */
export function environments(session: Session, options: { json: boolean }): number {
  const installed = new Map(session.discovery.plugins.map((p) => [`${p.kind}/${p.name}`, p.packageName]));
  const discovered = (kind: string, name: string | undefined) => session.discovery.plugins.filter((p) => p.kind === kind && p.name === name);
  const list = Object.entries(session.core.environments).map(([name, env]) => ({
    name,
    description: env.description,
    default: name === session.core.environment,
    pairing: pairingProblems(
      env,
      kindsIn(env as Parameters<typeof kindsIn>[0]).flatMap((kind) => discovered(kind, env[kind])),
    ).map(describePairingProblem),
    plugins: Object.fromEntries(
      kindsIn(env as Parameters<typeof kindsIn>[0]).map((kind) => {
        const pkg = installed.get(`${kind}/${env[kind]}`);
        return [kind, { name: env[kind], installed: pkg !== undefined, package: pkg, optional: isOptionalKind(kind) }];
      }),
    ),
  }));
  if (options.json) {
    printJson({ default: session.core.environment, environments: list });
    return 0;
  }
  for (const env of list) {
    const missing = Object.entries(env.plugins)
      .filter(([, p]) => !p.installed && !p.optional)
      .map(([kind, p]) => `${kind}/${p.name}`);
    const optional = Object.entries(env.plugins)
      .filter(([, p]) => !p.installed && p.optional)
      .map(([kind, p]) => `${kind}/${p.name}`);
    printLines([
      `${env.default ? '*' : ' '} ${env.name}${env.description ? ` — ${env.description}` : ''}`,
      `    ${Object.entries(env.plugins)
        .map(([kind, p]) => `${kind}=${p.name}`)
        .join(' ')}`,
      ...(missing.length > 0 ? [`    not installed: ${missing.join(', ')}`] : []),
      ...(optional.length > 0 ? [`    optional, not installed: ${optional.join(', ')} (needed for --verify)`] : []),
      ...env.pairing.map((problem) => `    does not work: ${problem}`),
    ]);
  }
  printLines(['(* = default; choose another with -e NAME)']);
  return 0;
}
