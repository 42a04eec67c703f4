/** The plugin API this core implements. A plugin declares the one it was written against. */
export const PLUGIN_API_VERSION = 2;
export const SUPPORTED_PLUGIN_API_VERSIONS: readonly number[] = [PLUGIN_API_VERSION];

/** Where a plugin author reads what changed: a section of core's README, which ships with every install. */
export const MIGRATION_SECTION = 'Plugin API 2';

/** What changed since each API this core no longer loads: the refusal says it, so an author knows what to do. */
export const RETIRED_PLUGIN_APIS: Readonly<Record<number, string>> = {
  1: 'plugin API 2 removed the blockdevice kind (a cloud attaches: attachVolume(volume, ctx) returns the device node, and devicesInUse is gone), made run types and metrics name runs rather than bakes, and narrowed @aminator/core to a chosen surface',
};
