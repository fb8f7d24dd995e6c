/** Temporary desired-state repos on disk for loader tests. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { loadDesiredState, type LoadResult } from '../../src/desired/index.js';

/** A config that includes users/*.yaml and sitevault/*.yaml with API v26.2. */
export const BASE_ROSTER = `vault:
  api_version: v26.2
include:
  - users/*.yaml
  - sitevault/*.yaml
`;

export type RepoFiles = Readonly<Record<string, string | Uint8Array>>;

/** Writes `files` (relative path → content) into a new temp folder and returns its path. */
export function makeRepo(files: RepoFiles): string {
  const root = mkdtempSync(join(tmpdir(), 'vault-roster-desired-'));
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return root;
}

export function removeRepo(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/**
 * Loads one users file (and `roster`) from a fresh repo; the repos it made are removed by
 * `cleanup` (call it from afterAll).
 */
export function usersFileLoader(): { readonly load: (users: string, roster?: string) => Promise<LoadResult>; readonly cleanup: () => void } {
  const roots: string[] = [];
  return {
    load: async (users, roster = BASE_ROSTER) => {
      const root = makeRepo({ 'roster.yaml': roster, 'users/team.yaml': users, 'sitevault/none.yaml': 'sitevault_users: []\n' });
      roots.push(root);
      return loadDesiredState('roster.yaml', { cwd: root });
    },
    cleanup: () => {
      roots.forEach(removeRepo);
    },
  };
}

/** `file:line:col code` of each diagnostic, for readable failure output. */
export function summarise(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.position ? `${d.position.file}:${d.position.line}:${d.position.col}` : '-'} ${d.code}`);
}

/** Asserts a diagnostic with `code` exists at `where` (`file:line:col`, or undefined for none). */
export function expectDiagnostic(diagnostics: readonly Diagnostic[], code: string, where: string | undefined): Diagnostic {
  const found = diagnostics.find(
    (d) => d.code === code && (where === undefined ? d.position === undefined : d.position !== undefined && `${d.position.file}:${d.position.line}:${d.position.col}` === where),
  );
  expect(found, `expected ${code} at ${where ?? '(no position)'}, got ${JSON.stringify(summarise(diagnostics))}`).toBeDefined();
  return found as Diagnostic;
}
