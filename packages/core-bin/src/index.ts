export { main } from './main.js';
export { runCli } from './cli/program.js';
