export { runCli } from './cli/program.js';
export { main } from './main.js';
