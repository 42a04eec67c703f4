import { createRequire } from 'node:module';
import type * as Tsyringe from 'tsyringe';

// Dependency injection for plugins: tsyringe, the one copy every plugin shares, handed out by core so
// that a plugin imports its decorators from @aminator/core and needs no peer dependency of its own.
// Loaded with require(): Node 20's ESM loader lexes each file of a CommonJS package for its export
// names before running it (tsyringe is ~15 files), 47–62 ms a run here against 21–28 ms for the same
// files through require(). An ESM `import 'tsyringe'` elsewhere (a third-party plugin) gets these
// same instances: Node hands it the module require() already ran.
const require = createRequire(import.meta.url);
// tsyringe needs the Reflect metadata API before any decorated class is defined.
require('reflect-metadata');
const tsyringe = require('tsyringe') as typeof Tsyringe;

export type { DependencyContainer, InjectionToken } from 'tsyringe';
/** The root container; a run resolves from a child of it. */
export const container: Tsyringe.DependencyContainer = tsyringe.container;
/** Constructor parameter decorator: inject what is registered under a token. */
export const inject: typeof Tsyringe.inject = tsyringe.inject;
/** Class decorator: the class can be constructed by the container. */
export const injectable: typeof Tsyringe.injectable = tsyringe.injectable;
/** A factory whose first result the container keeps and hands out again. */
export const instanceCachingFactory: typeof Tsyringe.instanceCachingFactory = tsyringe.instanceCachingFactory;
/** How long a registration's instance lives (per resolution, per container, for the process). */
export const Lifecycle: typeof Tsyringe.Lifecycle = tsyringe.Lifecycle;
