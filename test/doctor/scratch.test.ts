import { it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ADMIN_PASSWORD } from '../../src/simulator/index.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startTestSimulator } from '../helpers/simulator.js';
import { seedWithUsers } from '../vault/support.js';

it('scratch', async () => {
  const sim = await startTestSimulator({ seed: seedWithUsers(230), profile: process.env.P ?? 'default' });
  const dir = mkdtempSync(join(tmpdir(), 'vr-doc-'));
  const env = { NO_COLOR: '1', VAULT_URL: sim.url, VAULT_USERNAME: sim.adminUser, VAULT_PASSWORD: DEFAULT_ADMIN_PASSWORD };
  const r = await runCliCaptured(['doctor', '--record', join(dir, 'cap')], { env, cwd: dir });
  console.log(r.code, r.stdout, r.stderr);
  console.log(sim.requestLog().map((e) => `${e.method} ${e.path}`).join('\n'));
});
