/**
 * Injection tokens. `Symbol.for` so that every copy of a module sees the same key — but keep one copy
 * of @aminator/core and tsyringe all the same (plugins list them as peer dependencies).
 */

/** Plugin kinds, each resolved through its own token. */
export const CLOUD = Symbol.for('aminator.cloud');
export const VOLUME = Symbol.for('aminator.volume');
export const OS = Symbol.for('aminator.os');
export const PROVISIONER = Symbol.for('aminator.provisioner');
export const FINALIZER = Symbol.for('aminator.finalizer');
export const METRICS = Symbol.for('aminator.metrics');
export const VERIFIER = Symbol.for('aminator.verifier');

/** The validated config section of the selected plugin of each kind. */
export const CLOUD_CONFIG = Symbol.for('aminator.cloud.config');
export const VOLUME_CONFIG = Symbol.for('aminator.volume.config');
export const OS_CONFIG = Symbol.for('aminator.os.config');
export const PROVISIONER_CONFIG = Symbol.for('aminator.provisioner.config');
export const FINALIZER_CONFIG = Symbol.for('aminator.finalizer.config');
export const METRICS_CONFIG = Symbol.for('aminator.metrics.config');
export const VERIFIER_CONFIG = Symbol.for('aminator.verifier.config');

/** Services core provides to every plugin. */
export const COMMAND_RUNNER = Symbol.for('aminator.command-runner');
export const LOCK_MANAGER = Symbol.for('aminator.lock-manager');
export const LOGGER = Symbol.for('aminator.logger');
export const EVENT_SINK = Symbol.for('aminator.event-sink');
/** Core's own validated settings (`BakeSettings`). */
export const BAKE_SETTINGS = Symbol.for('aminator.bake-settings');
