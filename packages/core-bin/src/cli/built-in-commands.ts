/** The commands core-bin defines; a plugin may not contribute one of these names. */
export const BUILT_IN_COMMANDS: readonly string[] = ['bake', 'verify', 'boot', 'cleanup', 'plugins', 'environments', 'config', 'help'];
