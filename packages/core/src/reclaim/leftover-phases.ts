import type { Leftover, LeftoverPhase } from '../interfaces/leftover.js';

/** Reclaim order: holders before what they hold. */
export const LEFTOVER_PHASES: readonly LeftoverPhase[] = ['processes', 'mounts', 'devices', 'attachments', 'volumes', 'files', 'locks'];

/** Stable: within a phase the finder's own order (deepest mount first, say) is kept. */
export function inReclaimOrder(leftovers: readonly Leftover[]): Leftover[] {
  return [...leftovers].sort((a, b) => LEFTOVER_PHASES.indexOf(a.phase) - LEFTOVER_PHASES.indexOf(b.phase));
}
