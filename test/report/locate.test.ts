/** The report's YAML locator over real files: positions as written, and a file edited since loading refused. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import type { DesiredState } from '../../src/model.js';
import { createLocator } from '../../src/report/index.js';

const USERS = `users:
  - user_name: Kate@VeePharm.com
    first_name: Kate
    last_name: Grossman
    email: kate@veepharm.com
    memberships:
      - vault: 3003
        active: true
        apps: { rimReg_v: full__v, rimSubs_v: read_only__v }
      - vault: 4004
  - user_name: bob@veepharm.com
    first_name: Bob
    last_name: Stone
    email: bob@veepharm.com
`;

async function repo(): Promise<{ dir: string; desired: DesiredState }> {
  const dir = mkdtempSync(join(tmpdir(), 'vr-locate-'));
  mkdirSync(join(dir, 'users'));
  writeFileSync(join(dir, 'roster.yaml'), 'vault:\n  api_version: v26.2\ninclude:\n  - users/*.yaml\n');
  writeFileSync(join(dir, 'users', 'team.yaml'), USERS);
  const loaded = await loadDesiredState(join(dir, 'roster.yaml'), { cwd: dir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  return { dir, desired: loaded.state };
}

function user(desired: DesiredState, name: string) {
  const found = desired.users.find((u) => u.user_name === name);
  if (found === undefined) throw new Error(name);
  return found;
}

describe('entry locator', () => {
  it('finds the membership item, its active: key and each app code as written', async () => {
    const { dir, desired } = await repo();
    const locator = createLocator(desired, dir);
    const kate = user(desired, 'kate@veepharm.com');
    const place = locator.membership(kate, 3003);
    expect(place?.item).toEqual({ file: 'users/team.yaml', line: 7, col: 9, text: '- vault: 3003' });
    expect(place?.active).toEqual({ file: 'users/team.yaml', line: 8, col: 9, text: 'active: true' });
    expect([...(place?.apps?.codes ?? [])].map(([code, p]) => `${code} ${p.line}:${p.col}`)).toEqual(['rimReg_v 9:17', 'rimSubs_v 9:36']);
    const bare = locator.membership(kate, 4004);
    expect([bare?.item.line, bare?.active, bare?.apps]).toEqual([10, undefined, undefined]);
    expect(locator.membership(kate, 5005)).toBeUndefined();
    const bob = user(desired, 'bob@veepharm.com');
    expect(locator.membership(bob, 3003)).toBeUndefined();
    expect(locator.user(bob)).toEqual({ file: 'users/team.yaml', line: 11, col: 5, text: '- user_name: bob@veepharm.com' });
  });

  it('refuses a file edited since the desired state was loaded, naming it', async () => {
    const { dir, desired } = await repo();
    writeFileSync(join(dir, 'users', 'team.yaml'), `# a comment moves every line\n${USERS}`);
    const locator = createLocator(desired, dir);
    expect(() => locator.membership(user(desired, 'kate@veepharm.com'), 3003)).toThrow('users/team.yaml changed since vault-roster loaded it');
  });
});
