/** Every CLI command, in the order `--help` lists them. */
import type { Command } from '../command.js';
import { demoCommand } from './demo.js';

export const COMMANDS: readonly Command[] = [demoCommand];
