// The README's quick start is the contract with a new user: the lines it says `npm run demo`
// ends with must be what the demo prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/version.js';
import { runCliCaptured } from '../helpers/cli.js';

function quickStartEnding(): string[] {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const block = /It ends with:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README.md: no "It ends with:" block in the quick start');
  return block.split('\n').filter((line) => line !== '' && line !== '...');
}

describe('README quick start', () => {
  it('shows the lines vault-roster demo really prints', async () => {
    const lines = quickStartEnding();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const demo = await runCliCaptured(['demo']);
    expect(demo.code, demo.stderr).toBe(0);
    const printed = demo.stdout.split('\n');
    for (const line of lines) expect(printed, `README line not printed by the demo: ${line}`).toContain(line);
  });
});
