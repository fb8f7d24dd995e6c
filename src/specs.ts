/**
 * The JSON Schemas in specs/: where they are, and the one set of ajv options every reader of
 * them uses (the YAML loader, the plan reader).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Strict mode catches schema mistakes; allErrors reports everything at once; verbose gives each
 * error its schema so messages can quote the property's description. Union types are allowed
 * because `security_policy` is honestly "text or number".
 */
export const AJV_OPTIONS = { strict: true, allErrors: true, verbose: true, allowUnionTypes: true } as const;

/** specs/ sits at the package root, reached from src/ (tests) and dist/src/ (built). */
export function specsDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'specs');
    if (existsSync(join(candidate, 'roster.schema.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('vault-roster installation is incomplete: specs/roster.schema.json not found');
    dir = parent;
  }
}
