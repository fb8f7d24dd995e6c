/**
 * Every view of a plan with a million changes and a million call rows: no stack overflow (the
 * text view overflowed past ~120,000 lines when it spread its lines into push), every line
 * there, first and last right, each promotion naming its own person (a per-change scan of the
 * calls made this quadratic). One plan is shared by the three views to keep the file light.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatCount, PLAN_FORMAT_VERSION, type Plan } from '../../src/plan/index.js';
import { collectOutput, renderPlan, writePlan } from '../../src/render/index.js';
import { VaultRosterError } from '../../src/errors.js';
import { LineCounter, ROWS_PER_CALL, personId, promotionPlan, userKey } from './plans.js';

const N = 1_000_000;
const CALLS = N / ROWS_PER_CALL;
let plan: Plan;

beforeAll(() => {
  plan = promotionPlan(N);
});

describe(`views of a plan with ${N.toLocaleString('en-US')} changes and rows`, () => {
  it('text: two lines per change, one per call, the summary last', () => {
    const lastChange = `  ^ ${userKey(N - 1)}  promote from Clinical person ${personId(N - 1)}`;
    const lastCall = `  op-${CALLS}  POST /vobjects/person__sys/actions/promote_to_user__v  promote, ${ROWS_PER_CALL} rows`;
    const counter = new LineCounter((line) => line.startsWith('  ^ '), [lastChange, lastCall]);
    writePlan(plan, 'text', { color: false }, counter.sink);
    const golden = renderPlan({ ...plan, changes: [], operations: [] }, 'text', { color: false }).split('\n').length - 1;
    // The same plan without its changes and calls, plus the Users and API calls sections.
    expect(counter.unterminated).toBe('');
    expect(counter.matched).toBe(N);
    expect(counter.lines).toBe(golden + 2 + 2 * N + 2 + CALLS);
    expect(counter.first[0]).toMatch(/^vault-roster plan for /);
    const last = counter.last(3);
    expect(last[0]).toBe('');
    expect(last[1]).toBe(`Plan: 0 to create, 0 to update, 0 to deactivate, ${N} to promote, 0 SiteVault changes; ${CALLS} API calls.`);
    expect([...counter.found].sort()).toEqual([lastCall, lastChange].sort());
  });

  it('json: every change and every row, the document closed', () => {
    const lastRow = `          "person_id": "${personId(N - 1)}",`;
    const counter = new LineCounter((line) => line.startsWith('      "key": ') || line.startsWith('          "key": '), [lastRow]);
    writePlan(plan, 'json', { color: false }, counter.sink);
    expect(counter.unterminated).toBe('');
    expect(counter.matched).toBe(2 * N);
    expect(counter.first.slice(0, 2)).toEqual(['{', `  "format_version": ${PLAN_FORMAT_VERSION},`]);
    // The document ends with the summary, or with the seat preview after it when the plan has one.
    expect(counter.last(3)).toEqual((plan.seats?.length ?? 0) > 0 ? ['    }', '  ]', '}'] : ['    "burst_limit": 2000', '  }', '}']);
    expect(counter.found.has(lastRow)).toBe(true);
  });

  it('markdown: cut to its budget, counting every item', () => {
    const text = renderPlan(plan, 'markdown', { color: false });
    expect(text.length).toBeLessThanOrEqual(60_000);
    expect(text).toContain(`Promote Clinical persons to users (${formatCount(N)} users)`);
    // Each section says what it cut, counting all of its items, and so does the closing notice.
    expect(text).toMatch(new RegExp(`[\\d,]+ of ${formatCount(N)} users cut here`));
    expect(text).toMatch(new RegExp(`Promote Clinical persons to users: [\\d,]+ of ${formatCount(N)} not shown`));
    expect(text).toMatch(new RegExp(`API calls: [\\d,]+ of ${formatCount(CALLS)} not shown`));
    expect(text).toContain(`- person \`${personId(0)}\` → user \`${userKey(0)}\``);
  });

  it('one string: past the limit is the named error output-too-large, not a RangeError', () => {
    let thrown: unknown;
    try {
      collectOutput('text plan', (sink) => { writePlan(plan, 'text', { color: false }, sink); }, 5_000_000);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VaultRosterError);
    expect((thrown as VaultRosterError).code).toBe('output-too-large');
    expect((thrown as VaultRosterError).message).toBe('the text plan is more than 5,000,000 characters, the most one string can hold');
    expect((thrown as VaultRosterError).hint).toMatch(/streams a plan to stdout/);
  });
});
