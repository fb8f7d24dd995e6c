/**
 * Every CLI command, in the order `--help` lists them. Each entry names its module, loaded only
 * when that command runs (or shows its help): a run loads the code of one command, not of all
 * eight. A new command is one more entry; test/cli/run.test.ts checks each summary against its
 * module's.
 */
import type { CommandEntry } from '../command.js';

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'validate',
    summary: 'Check roster.yaml and its included files offline (schema and rules)',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    name: 'plan',
    summary: 'Show the changes that would make Vault match the YAML (never writes to Vault)',
    load: async () => (await import('./plan.js')).planCommand,
  },
  {
    name: 'apply',
    summary: 'Apply a saved plan (or plan, confirm and apply) to Vault',
    load: async () => (await import('./apply.js')).applyCommand,
  },
  {
    name: 'plan-id',
    summary: 'Print the id of a saved plan (as its PR comment, apply and journal show it)',
    load: async () => (await import('./plan-id.js')).planIdCommand,
  },
  {
    name: 'journal',
    summary: "Check an apply journal's hash chain (journal verify FILE)",
    load: async () => (await import('./journal.js')).journalCommand,
  },
  {
    name: 'evidence',
    summary: 'Audit evidence: bundle an apply (evidence PLAN-ID --out DIR), verify it, list access as of a date',
    load: async () => (await import('./evidence.js')).evidenceCommand,
  },
  {
    name: 'review',
    summary: 'Periodic access review per vault and owner (Markdown, CSV, JSON); review stamp records decisions',
    load: async () => (await import('./review.js')).reviewCommand,
  },
  {
    name: 'import',
    summary: 'Write the users Vault has today as a desired-state repo (roster.yaml + YAML files)',
    load: async () => (await import('./import.js')).importCommand,
  },
  {
    name: 'schemas',
    summary: 'Copy the JSON Schemas into a roster repo so editors complete and check its YAML',
    load: async () => (await import('./schemas.js')).schemasCommand,
  },
  {
    name: 'report',
    summary: 'Report licence seats (licensed, used, after the plan) and inactive licence holders (report seats)',
    load: async () => (await import('./report.js')).reportCommand,
  },
  {
    name: 'simulator',
    summary: 'Serve the local Vault simulator on 127.0.0.1 until interrupted',
    load: async () => (await import('./simulator.js')).simulatorCommand,
  },
  {
    name: 'demo',
    summary: 'Run validate, plan, apply and re-plan against the embedded simulator (examples/full)',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    name: 'doctor',
    summary: 'Check a Vault read-only before the first plan (--record: a redacted capture for bug reports)',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
];
