import { z } from 'zod';
import { PLUGIN_NAME } from '../plugin/manifest-schema.js';
import { PLUGIN_KINDS } from '../plugin/plugin-kinds.js';
import { removedKey } from './removed-key.js';

const pluginName = z.string().regex(PLUGIN_NAME, 'a plugin name: lowercase letters, digits and dashes');
const absolutePath = z.string().refine((p) => p.startsWith('/') && !p.split('/').includes('..'), 'an absolute path without ".."');

const BLOCKDEVICE_GONE =
  'blockdevice is no longer a plugin kind (plugin API 2): the cloud attaches volumes itself; remove this key (the EC2 device settings moved to cloud.ec2: device, devicePrefix, deviceLetters, nodeTimeoutMs)';

export const ENVIRONMENT_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** A named set of plugins, one per kind. */
export const environmentSchema = z
  .object({
    description: z.string().optional(),
    cloud: pluginName,
    /** Gone in plugin API 2 (the cloud attaches); named here so that an old config gets a reason, not "unrecognized key". */
    blockdevice: removedKey(BLOCKDEVICE_GONE),
    volume: pluginName,
    os: pluginName,
    provisioner: pluginName,
    finalizer: pluginName,
    metrics: pluginName.default('log'),
    /** Optional: what `aminate bake --verify` proves the image with. */
    verifier: pluginName.optional(),
  })
  .strict();

export type EnvironmentConfig = z.infer<typeof environmentSchema>;

/** Each kind's section maps plugin names to that plugin's own config, validated by the plugin. */
const pluginSections = Object.fromEntries(PLUGIN_KINDS.map((kind) => [kind, z.record(z.string(), z.record(z.string(), z.unknown())).default({})])) as Record<
  (typeof PLUGIN_KINDS)[number],
  z.ZodDefault<z.ZodRecord<z.ZodString, z.ZodRecord<z.ZodString, z.ZodUnknown>>>
>;

/** Core's part of the configuration; unknown keys are errors so typos do not pass silently. */
export const coreConfigSchema = z
  .object({
    /** The environment used when `-e` is not given. */
    environment: z.string().regex(ENVIRONMENT_NAME),
    environments: z.record(z.string().regex(ENVIRONMENT_NAME, 'environment names: lowercase letters, digits, _ and -'), environmentSchema),
    /** Extra places to look for plugins: a plugin package directory, or a directory of packages. */
    pluginPaths: z.array(z.string().min(1)).default([]),
    workRoot: absolutePath,
    lockDir: absolutePath,
    preserveOnError: z.boolean(),
    abortGraceMs: z.number().int().min(0).max(600_000),
    ...pluginSections,
    blockdevice: removedKey(BLOCKDEVICE_GONE),
  })
  .strict();

export type CoreConfig = z.infer<typeof coreConfigSchema>;
