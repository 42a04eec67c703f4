/**
 * The run's LocalImageStore, for plugins that work with the local cloud (finalizer-local). A token of
 * this plugin's own, not core's: only companions of the local cloud need it.
 */
export const LOCAL_STORE = Symbol.for('aminator.cloud-local.store');
