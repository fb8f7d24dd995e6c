import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/cli/demo-seed.js';
import { loadDesiredState } from '../../src/desired/index.js';
import { EXAMPLES_DIR } from '../helpers/roster.js';

describe('examples/full/simulator-seed.json', () => {
  it('is exactly what the demo seeds, so the README walkthrough and the demo start alike', async () => {
    const loaded = await loadDesiredState(join(EXAMPLES_DIR, 'full', 'roster.yaml'));
    if (!loaded.ok) throw new Error('examples/full is invalid');
    const path = join(EXAMPLES_DIR, 'full', 'simulator-seed.json');
    const generated = JSON.stringify(demoSeed(loaded.state), null, 2) + '\n';
    // After changing examples/full, rewrite the file with: UPDATE_SEED=1 npx vitest run test/e2e/demo-seed.test.ts
    if (process.env.UPDATE_SEED === '1') writeFileSync(path, generated);
    expect(readFileSync(path, 'utf8')).toBe(generated);
  });
});
