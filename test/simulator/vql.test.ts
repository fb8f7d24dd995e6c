/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- contract tests assert on raw Vault JSON */
import { describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call, newUserRow } from './api.js';
import { parseVql, VqlError } from '../../src/simulator/vql-engine.js';

async function clinicalSession() {
  const sim = await startTestSimulator();
  const sid = await adminSession(sim, 'veepharm-clinical.veevavault.com', 'v26.2');
  return { sim, sid };
}

function query(sim: Awaited<ReturnType<typeof startTestSimulator>>, sid: string, q: string) {
  return call(sim, 'POST', '/query', { sid, form: { q }, version: 'v26.2' });
}

describe('POST /query', () => {
  it('reads person__sys of the Clinical vault with vault_user__sys', async () => {
    const { sim, sid } = await clinicalSession();
    const r = await query(sim, sid, 'SELECT id, email__sys, first_name__sys, last_name__sys, vault_user__sys FROM person__sys');
    expect(r.body.responseStatus).toBe('SUCCESS');
    expect(r.body.responseDetails).toEqual({ pagesize: 1000, pageoffset: 0, size: 5, total: 5 });
    expect(r.body.data[0]).toEqual({ id: 'V0B000000000001', email__sys: 'maria.lopez@veepharm.com', first_name__sys: 'Maria', last_name__sys: 'Lopez', vault_user__sys: null });
  });

  it('sees no persons from another vault', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim, 'veepharm-rim.veevavault.com');
    expect((await query(sim, sid, 'SELECT id FROM person__sys')).body.data).toEqual([]);
  });

  it.each([
    ["WHERE email__sys = 'KENJI.WATANABE@veepharm.com'", ['V0B000000000002']],
    ["WHERE id IN ('V0B000000000004', 'V0B000000000001')", ['V0B000000000001', 'V0B000000000004']],
    ["WHERE last_name__sys LIKE 'b%'", ['V0B000000000003']],
    ['WHERE vault_user__sys = null AND first_name__sys != \'Maria\'', ['V0B000000000002', 'V0B000000000003', 'V0B000000000004', 'V0B000000000005']],
    ['ORDER BY first_name__sys DESC MAXROWS 2', ['V0B000000000004', 'V0B000000000005']],
  ])('filters: %s', async (clause, ids) => {
    const { sim, sid } = await clinicalSession();
    const r = await query(sim, sid, `select id from person__sys ${clause}`);
    expect(r.body.data.map((d: { id: string }) => d.id)).toEqual(ids);
  });

  it('reads user__sys of the session vault in __sys field names', async () => {
    const { sim, sid } = await clinicalSession();
    await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('vq', { vault_membership: '5005:true:read_only_user__v:read_only__v' }), newUserRow('other', { vault_membership: '3003' })] });
    const r = await query(sim, sid, "SELECT id, username__sys, email__sys, status__v, license_type__sys, security_profile__sys FROM user__sys WHERE username__sys LIKE '%@veepharm.com' AND email__sys != 'no-reply@veeva.com'");
    expect(r.body.data).toEqual([
      { id: '25002', username__sys: 'vq@veepharm.com', email__sys: 'vq@veepharm.com', status__v: 'active__v', license_type__sys: 'read_only__v', security_profile__sys: 'read_only_user__v' },
    ]);
  });

  it('pages with PAGESIZE/PAGEOFFSET; next_page and previous_page work with GET and POST', async () => {
    const { sim, sid } = await clinicalSession();
    const first = await query(sim, sid, 'SELECT id FROM person__sys PAGESIZE 2');
    expect(first.body.responseDetails).toMatchObject({ pagesize: 2, pageoffset: 0, size: 2, total: 5 });
    const next = String(first.body.responseDetails.next_page);
    expect(next).toMatch(/^\/api\/v26\.2\/query\/[0-9a-f-]{36}\?pagesize=2&pageoffset=2$/);
    const second = await call(sim, 'GET', next, { sid });
    expect(second.body.data.map((d: { id: string }) => d.id)).toEqual(['V0B000000000003', 'V0B000000000004']);
    const third = await call(sim, 'POST', String(second.body.responseDetails.next_page), { sid });
    expect(third.body.data.map((d: { id: string }) => d.id)).toEqual(['V0B000000000005']);
    expect(third.body.responseDetails).not.toHaveProperty('next_page');
    expect(third.body.responseDetails.previous_page).toContain('pageoffset=2');
    const offset = await query(sim, sid, 'SELECT id FROM person__sys PAGESIZE 2 PAGEOFFSET 4');
    expect(offset.body.data).toEqual([{ id: 'V0B000000000005' }]);
  });

  it.each([
    ['SELECT FROM person__sys'],
    ['SELECT id FROM person__sys WHERE id = 1 OR id = 2'],
    ['SELECT nope__sys FROM person__sys'],
    ['SELECT id FROM documents'],
    ["SELECT id FROM person__sys WHERE id = 'unterminated"],
    ['SELECT id FROM person__sys PAGESIZE many'],
    ['DELETE FROM person__sys'],
  ])('%s: FAILURE INCORRECT_QUERY_SYNTAX_ERROR', async (q) => {
    const { sim, sid } = await clinicalSession();
    const r = await query(sim, sid, q);
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'INCORRECT_QUERY_SYNTAX_ERROR' }] });
  });

  it('needs q, and refuses an unknown page link', async () => {
    const { sim, sid } = await clinicalSession();
    expect((await call(sim, 'POST', '/query', { sid, form: {}, version: 'v26.2' })).body.errors[0].type).toBe('PARAMETER_REQUIRED');
    expect((await call(sim, 'GET', '/api/v26.2/query/00000000-0000-0000-0000-000000000000?pagesize=2&pageoffset=2', { sid })).body.errors[0].type).toBe('MALFORMED_URL');
  });
});

describe('parseVql', () => {
  it.each([
    ["select id , name__v from user__sys where status__v = 'active__v' and id > 3 pagesize 10", { fields: ['id', 'name__v'], object: 'user__sys', pageSize: 10 }],
    ["SELECT id FROM person__sys WHERE email__sys = 'o\\'hara@x.com'", { where: [{ field: 'email__sys', op: '=', values: ["o'hara@x.com"] }] }],
    ['SELECT id FROM person__sys MAXROWS 3 PAGEOFFSET 1', { maxRows: 3, pageOffset: 1 }],
  ])('%s', (text, expected) => {
    expect(parseVql(text)).toMatchObject(expected);
  });

  it('refuses PAGESIZE twice', () => {
    expect(() => parseVql('SELECT id FROM user__sys PAGESIZE 1 PAGESIZE 2')).toThrow(VqlError);
  });
});
