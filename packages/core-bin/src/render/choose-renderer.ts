import { JsonRenderer } from './json-renderer.js';
import { PlainRenderer } from './plain-renderer.js';
import type { Renderer } from './renderer.js';
import { TtyRenderer } from './tty-renderer.js';

/** `plain`: the terminal belongs to something else meanwhile (the console of `aminate boot`): no live redraw. */
export function chooseRenderer(options: { json: boolean; debug: boolean; plain?: boolean }): Renderer {
  if (options.json) return new JsonRenderer(options.debug);
  if (!options.plain && process.stderr.isTTY && process.env.TERM !== 'dumb' && !process.env.CI) return new TtyRenderer(options.debug);
  return new PlainRenderer(options.debug);
}
