// The three views of the examples/full plan against the demo's drift seed, as golden files.
// UPDATE_GOLDEN=1 npx vitest run test/e2e/plan-golden.test.ts rewrites them after a deliberate change.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planSchemaErrors } from '../../src/apply/plan-file.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture } from '../helpers/roster.js';

const GOLDEN = join(import.meta.dirname, 'golden');

/** Only the timestamp, tool version, the simulator's port and so the plan id vary between runs. */
function normalise(text: string): string {
  return text
    .replace(/(plan id |\*\*Plan id\*\* `)[0-9a-f]{64}/gi, '$1<plan-id>')
    .replace(/("server": "http:\/\/127\.0\.0\.1:)\d+"/g, '$1<port>"')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/("tool_version": )"[^"]+"/g, '$1"<version>"')
    .replace(/by vault-roster \S+/g, 'by vault-roster <version>');
}

function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(existsSync(path), `${name} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('examples/full plan views against the seeded simulator', () => {
  it('text, markdown and json match their golden files, and the JSON is a valid plan', async () => {
    const fx = await startRosterFixture();
    const outputs: Record<string, string> = {};
    for (const format of ['text', 'markdown', 'json'] as const) {
      const run = await fx.run(['plan', '--format', format]);
      expect(run.code, run.stderr).toBe(0);
      outputs[format] = run.stdout;
    }
    expect(planSchemaErrors(JSON.parse(outputs.json!))).toEqual([]);
    expectGolden('full-plan.txt', normalise(outputs.text!));
    expectGolden('full-plan.md', normalise(outputs.markdown!));
    expectGolden('full-plan.json', normalise(outputs.json!));
  });
});

describe('plan --plan-url', () => {
  it('refuses a link that is not http(s), from the flag or VAULT_ROSTER_PLAN_URL, before calling Vault', async () => {
    const fx = await startRosterFixture();
    const flag = await fx.run(['plan', '--format', 'markdown', '--plan-url', 'javascript:alert(1)']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("--plan-url (or VAULT_ROSTER_PLAN_URL) 'javascript:alert(1)' is not an http(s) URL");
    expect(flag.stderr).toContain('https://github.com/org/repo/actions/runs/123');
    const env = await runCliCaptured(['plan', '--format', 'markdown'], { env: { ...fx.env, VAULT_ROSTER_PLAN_URL: 'not a url' }, cwd: fx.dir });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain("'not a url' is not an http(s) URL");
    expect(fx.sim.requestLog()).toEqual([]);
    const ok = await fx.run(['plan', '--format', 'markdown', '--plan-url', 'https://ci.example.com/runs/7']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.split('\n')[0]).toBe('<!-- vault-roster-plan -->');
  });
});
