// The architecture's import rules are lint (eslint.boundaries.js): a planted forbidden import
// fails, an allowed one passes.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JS config module without types
import { boundaries } from '../eslint.boundaries.js';

const eslint = new ESLint({
  cwd: new URL('..', import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...(boundaries as object[])],
});

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries between src/ folders', () => {
  it.each([
    ['the planner reaching the HTTP client', 'src/plan/planted.ts', "import { createVaultClient } from '../vault/index.js';", /src\/plan may import only plan, vault-api/],
    ['the planner doing I/O', 'src/plan/planted.ts', "import { readFileSync } from 'node:fs';", /src\/plan is pure/],
    ['a view reaching apply', 'src/render/planted.ts', "import { applyPlan } from '../apply/index.js';", /src\/render may import only/],
    ['apply reaching the CLI', 'src/apply/planted.ts', "import type { CliIo } from '../cli/command.js';", /src\/apply may import only/],
    ['apply reaching the desired-state loader', 'src/apply/planted.ts', "import { loadDesiredState } from '../desired/index.js';", /src\/apply may import only/],
    ['apply reaching plan internals', 'src/apply/planted.ts', "import { diffUsers } from '../plan/diff-users.js';", /only through its index\.js/],
    ['state reaching plan internals', 'src/state/planted.ts', "import { canonicalJson } from '../plan/digest.js';", /only through its index\.js/],
    ['the simulator reading the client\'s wire module', 'src/simulator/routes/planted.ts', "import { decodeUserMemberships } from '../../vault-api/index.js';", /src\/simulator may import only simulator/],
    ['the wire module reaching the planner', 'src/vault-api/planted.ts', "import { createPlan } from '../plan/index.js';", /only \.\.\/plan\/types\.js/],
  ])('refuses %s', async (_name, file, code, message) => {
    const messages = await restricted(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it.each([
    ['the planner using the wire module', 'src/plan/planted.ts', "import { MAX_BATCH_ROWS } from '../vault-api/index.js';"],
    ['apply using the plan through its index', 'src/apply/planted.ts', "import { createPlan } from '../plan/index.js';"],
    ['the client using typed operations', 'src/vault/planted.ts', "import type { NewUserRow } from '../plan/types.js';"],
    ['the CLI using anything', 'src/cli/planted.ts', "import { diffUsers } from '../plan/diff-users.js';"],
  ])('allows %s', async (_name, file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  });
});
