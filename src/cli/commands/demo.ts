/** `vault-roster demo`: the whole flow against the embedded simulator. */
import { EXIT_ERROR, type Command } from '../command.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run plan, apply and re-plan against the embedded simulator seeded from examples/',
  help: `Usage: vault-roster demo

Starts the local Vault simulator on 127.0.0.1 (seeded with drift), validates examples/full,
plans, applies, and plans again to show no changes remain.
`,
  options: {},
  allowPositionals: false,
  run(_values, _positionals, io) {
    io.stderr.write('demo: not yet available: the simulator and planner have not landed.\n');
    return Promise.resolve(EXIT_ERROR);
  },
};
