import { JsonRenderer } from './json-renderer.js';
import { PlainRenderer } from './plain-renderer.js';
import type { Renderer } from './renderer.js';
import { TtyRenderer } from './tty-renderer.js';

export function chooseRenderer(options: { json: boolean; debug: boolean }): Renderer {
  if (options.json) return new JsonRenderer(options.debug);
  if (process.stderr.isTTY && process.env.TERM !== 'dumb' && !process.env.CI) return new TtyRenderer(options.debug);
  return new PlainRenderer(options.debug);
}
