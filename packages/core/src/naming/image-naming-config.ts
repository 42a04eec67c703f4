import { z } from 'zod';
import { removedKey } from '../config/removed-key.js';
import type { PluginOption } from '../interfaces/plugin-module.js';

/**
 * The config keys every finalizer has for naming and tagging the image it makes, one schema for all
 * (a finalizer's section spreads it): the same keys, limits and flags whichever cloud the image is for.
 */
export const imageNamingShape = {
  /** Last part of `{name}-{version}-{release}-{arch}-{suffix}`; default UTC YYYYMMDDHHmm. */
  suffix: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .optional(),
  /** Replace an image of ours that already has the name (the cloud says how: EC2 deregisters it, its snapshots kept). */
  force: z.boolean().default(false),
  /** Renamed: one name for one idea in every finalizer. */
  forceDeregister: removedKey('forceDeregister is now force (--force), the same key in every finalizer'),
  /** Extra tags, `key=value`. */
  tags: z.array(z.string().max(400)).default([]),
  /** `creator` tag; default user@host. */
  creator: z
    .string()
    .regex(/^[A-Za-z0-9 _.:/=+@-]{1,128}$/)
    .optional(),
  /** At most what the strictest cloud keeps (EC2: 255 characters), so one config serves every environment. */
  description: z.string().max(255).optional(),
};

/** The flags of those keys, for a finalizer's manifest options. */
export const IMAGE_NAMING_OPTIONS: readonly PluginOption[] = [
  { flag: 'suffix', key: 'suffix', type: 'string', valueName: 'text', description: 'image name suffix (default UTC YYYYMMDDHHmm)' },
  { flag: 'force', key: 'force', type: 'boolean', description: 'replace an image of ours that has the same name' },
  { flag: 'tag', key: 'tags', type: 'list', valueName: 'key=value', description: 'tag the image (repeatable)' },
  { flag: 'creator', key: 'creator', type: 'string', valueName: 'name', description: 'creator tag (default user@host)' },
  { flag: 'description', key: 'description', type: 'string', valueName: 'text', description: 'image description (at most 255 characters)' },
];
