/**
 * Reading a saved plan: JSON, the plan schema, the format version. A plan that fails any of
 * these is refused before anything else happens.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { AJV_OPTIONS, specsDirectory } from '../specs.js';
import { VaultRosterError } from '../errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/index.js';

let validate: ReturnType<Ajv['compile']> | undefined;

function planValidator(): ReturnType<Ajv['compile']> {
  validate ??= new Ajv(AJV_OPTIONS).compile(
    JSON.parse(readFileSync(join(specsDirectory(), 'plan.schema.json'), 'utf8')) as Record<string, unknown>,
  );
  return validate;
}

/** Checks a parsed document against specs/plan.schema.json; returns the problems, empty when valid. */
export function planSchemaErrors(document: unknown): string[] {
  const check = planValidator();
  if (check(document)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? 'is invalid'}`);
}

export function readPlanFile(path: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VaultRosterError('plan-file', `cannot read plan ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: "Give the file written by 'vault-roster plan --out FILE'.",
    });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new VaultRosterError('plan-file', `plan ${path} is not JSON: ${(error as Error).message}`, {
      hint: "Give the file written by 'vault-roster plan --out FILE', unmodified.",
    });
  }
  const version = (document as { format_version?: unknown } | null)?.format_version;
  if (version !== PLAN_FORMAT_VERSION) {
    const why = version === 1 ? ' (format 1 listed raw HTTP requests; format 2 plans hold typed operations that apply verifies)' : '';
    throw new VaultRosterError('plan-file', `plan ${path} has format_version ${String(version)}; this vault-roster reads ${PLAN_FORMAT_VERSION}${why}`, {
      hint: "Make the plan again with this version of vault-roster ('vault-roster plan --out FILE').",
    });
  }
  const problems = planSchemaErrors(document);
  if (problems.length > 0) {
    throw new VaultRosterError('plan-file', `plan ${path} does not match the plan schema: ${problems.slice(0, 3).join('; ')}`, {
      hint: 'The plan was edited or truncated; make it again with vault-roster plan --out.',
    });
  }
  return document as Plan;
}
