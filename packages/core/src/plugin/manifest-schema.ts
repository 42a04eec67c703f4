import { z } from 'zod';
import { PLUGIN_KINDS } from './plugin-kinds.js';

/** The keyword that makes a package a plugin candidate (and findable on npm). */
export const PLUGIN_KEYWORD = 'aminator-plugin';

export const PLUGIN_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** The `"aminator"` field of a plugin's package.json. */
export const pluginManifestSchema = z
  .object({
    kind: z.enum(PLUGIN_KINDS),
    name: z.string().regex(PLUGIN_NAME, 'lowercase letters, digits and dashes, starting with a letter, at most 40'),
    apiVersion: z.number().int().positive(),
    /** Module to import, relative to the package; defaults to the package's main export. */
    entry: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'must be a path inside the package')
      .optional(),
    /**
     * What the plugin needs of the environment it is used in: for a kind, the names of the plugins
     * it works with — `{ "cloud": ["ec2"] }` for a finalizer that uses the EC2 cloud's session.
     * Checked from manifests when an environment is selected, before anything is imported.
     */
    requires: z.record(z.enum(PLUGIN_KINDS), z.array(z.string().regex(PLUGIN_NAME)).min(1).max(16)).optional(),
    /** Top-level `aminate` commands the plugin adds (defined in the module). */
    commands: z
      .array(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/))
      .max(16)
      .optional(),
  })
  .strict();

export type PluginManifest = z.infer<typeof pluginManifestSchema>;
