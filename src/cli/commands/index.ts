/** Every CLI command, in the order `--help` lists them. */
import type { Command } from '../command.js';
import { applyCommand } from './apply.js';
import { demoCommand } from './demo.js';
import { doctorCommand } from './doctor.js';
import { importCommand } from './import.js';
import { planCommand } from './plan.js';
import { simulatorCommand } from './simulator.js';
import { validateCommand } from './validate.js';

export const COMMANDS: readonly Command[] = [validateCommand, planCommand, applyCommand, importCommand, simulatorCommand, demoCommand, doctorCommand];
