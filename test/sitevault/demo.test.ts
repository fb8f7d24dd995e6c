/**
 * `vault-roster demo` (in-process) over examples/full: the SiteVault persons and the Clinical
 * promotion the example declares are planned, created, and recorded, and the re-plan is empty.
 */
import { rmSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { readState } from './repo.js';

const PERSONS = [
  'ben.harlow@veepharm.com',
  'dana.whitfield@veepharm.com',
  'grace.kim@veepharm.com',
  'helen.carter@veepharm.com',
  'marcus.reed@veepharm.com',
  'oliver.brandt@northbridge-audit.example',
  'sofia.alvarez@apexcro.example',
];

describe('demo', () => {
  it('creates the example SiteVault persons and promotes its Clinical person', async () => {
    const run = await runCliCaptured(['demo', '--keep'], { env: { NO_COLOR: '1' } });
    const work = /Working copy of examples\/full: (\S+)/.exec(run.stdout)?.[1];
    expect(work).toBeDefined();
    onTestFinished(() => {
      rmSync(work ?? '', { recursive: true, force: true });
    });
    expect(run.code, run.stderr).toBe(0);

    const [planned = '', afterApply = ''] = run.stdout.split('=== 3/4');
    for (const email of PERSONS) expect(planned).toMatch(new RegExp(`^ {2}\\+ ${email.replaceAll('.', '\\.')} {2}create SiteVault person`, 'm'));
    expect(planned).toContain('  ^ maria.lopez@veepharm.com  promote from Clinical person V0B000000000001');
    expect(planned).toMatch(/1 to promote, 7 SiteVault changes(, \d+ group changes \(\+\d+ \/ −\d+ members\))?;/);
    expect(planned.match(/POST \/app\/sitevault\/useradmin\/persons {2}sitevault_create, 1 row/g)).toHaveLength(7);
    expect(afterApply).toMatch(/^Apply complete: created \d+, updated \d+, deactivated 0, promoted 1, SiteVault changes 7(, group changes \d+)?, failed 0\.$/m);
    expect(afterApply.split('=== 4/4')[1]).toContain('No changes. Vault matches the desired state.');

    const state = readState(work ?? '');
    expect(Object.keys(state.sitevault)).toEqual(PERSONS);
    const ids = Object.values(state.sitevault).map((p) => p.person_id);
    expect(new Set(ids).size).toBe(7);
    for (const id of ids) expect(id).toMatch(/^V0B\d{12}$/);
  });
});
