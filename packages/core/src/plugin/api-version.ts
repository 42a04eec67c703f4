/** The plugin API this core implements. A plugin declares the one it was written against. */
export const PLUGIN_API_VERSION = 1;
export const SUPPORTED_PLUGIN_API_VERSIONS: readonly number[] = [1];
