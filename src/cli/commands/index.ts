/** Every CLI command, in the order `--help` lists them. */
import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { simulatorCommand } from './simulator.js';
import { validateCommand } from './validate.js';

export const COMMANDS: readonly Command[] = [validateCommand, demoCommand, simulatorCommand];
