import { type DependencyContainer, Lifecycle } from '@aminator/core';
import { Ec2Session } from './ec2-session.js';

/**
 * The bake's one Ec2Session. Tokens owned by a package are named `aminator.<package>.<name>`; core's
 * contracts are `aminator.<kind>`.
 */
export const EC2_SESSION = Symbol.for('aminator.aws-ec2.session');

/**
 * Register the session once per bake, whichever EC2 plugin registers first: the cloud and the
 * finalizer share it (its clients and the ids the bake created). It reads the cloud's config section,
 * which every EC2 cloud builds on `ec2SessionConfigShape`; finalizers declare that they need such a
 * cloud in their manifest's `requires`.
 */
export function registerEc2Session(container: DependencyContainer): void {
  if (container.isRegistered(EC2_SESSION)) return;
  // Built by the container (not a factory), so the run's container.dispose() releases its clients.
  container.register(EC2_SESSION, { useClass: Ec2Session }, { lifecycle: Lifecycle.ContainerScoped });
}
