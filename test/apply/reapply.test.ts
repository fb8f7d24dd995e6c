import { describe, expect, it } from 'vitest';
import { isWrite } from '../helpers/simulator.js';
import { startRosterFixture } from '../helpers/roster.js';

describe('apply plan.json a second time', () => {
  it('says the plan was already applied in full and sends nothing', async () => {
    const fx = await startRosterFixture();
    expect((await fx.run(['plan', '--out', 'plan.json'])).code).toBe(0);
    const first = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(first.code, first.stderr).toBe(0);
    fx.sim.clearRequestLog();
    const second = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^Plan plan\.json was already applied in full \(journal .*\); nothing to send\.$/m);
    const writes = fx.sim.requestLog().filter(isWrite);
    expect(writes).toEqual([]);
  });
});
