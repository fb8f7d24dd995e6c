/**
 * Apply keeps the plan it ran: `.vault-roster/plans/<plan id>.json`, beside the journal folder,
 * so an evidence bundle can be built later from the plan id alone. The id is the plan's content
 * digest: a file already there is kept only when it is that plan (checked, never assumed), and a
 * different file under the name is never overwritten.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VaultRosterError } from '../errors.js';
import { planId, type Plan } from '../plan/index.js';
import { writeFileAtomic } from '../state/index.js';
import { readPlanFile } from './plan-file.js';

/** `<state dir>/plans`, the journal folder being `<state dir>/journal`. */
export function plansDirFor(journalDir: string): string {
  return join(dirname(journalDir), 'plans');
}

export function keptPlanPath(plansDir: string, id: string): string {
  return join(plansDir, `${id}.json`);
}

function notThisPlan(path: string, id: string, why: string): VaultRosterError {
  return new VaultRosterError('state-file', `${path} should hold plan ${id} but ${why}`, {
    hint: 'Move that file aside (keep it for the audit trail: it is the record of a plan), then run apply again; it keeps the plan it runs there.',
  });
}

/** Stores `plan` under its id (or finds it already there, checked); returns the path. */
export function keepPlan(plansDir: string, plan: Plan): string {
  const id = planId(plan);
  const path = keptPlanPath(plansDir, id);
  if (existsSync(path)) {
    let kept: Plan;
    try {
      kept = readPlanFile(path);
    } catch (error) {
      throw notThisPlan(path, id, `it is not a readable plan (${error instanceof VaultRosterError ? error.message : String(error)})`);
    }
    const keptId = planId(kept);
    if (keptId !== id) throw notThisPlan(path, id, `its content digest is ${keptId}: it was edited or replaced`);
    return path;
  }
  mkdirSync(plansDir, { recursive: true });
  // Compact: the id is of the canonical form, so spacing does not matter; a large plan stays as small as read.
  writeFileAtomic(path, `${JSON.stringify(plan)}\n`);
  return path;
}
