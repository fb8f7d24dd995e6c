// Bulk user writes with `bodyFormat: 'csv'` over HTTP against the simulator: the exact
// Content-Type and body each call carried (read by a recording pass-through), what Vault then
// holds, and that a blank cell or a missing JSON key never changes a field.
import { afterEach, describe, expect, it } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import { startRecorder, type Recorder } from './csv-recorder.js';
import { API_VERSION, clientFor, newUser, simulator } from './support.js';

const recorders: Recorder[] = [];
afterEach(async () => {
  await Promise.all(recorders.splice(0).map((r) => r.close()));
});

async function csvClient(sim: RunningSimulator, bodyFormat: 'csv' | 'json' = 'csv') {
  const recorder = await startRecorder(sim.url);
  recorders.push(recorder);
  const { client } = clientFor(sim, { baseUrl: recorder.url, bodyFormat });
  return { client, recorder };
}

function idOf(outcome: { ok: boolean; id?: string } | undefined): number {
  if (outcome?.ok !== true || outcome.id === undefined) throw new Error(`expected a success with an id, got ${JSON.stringify(outcome)}`);
  return Number(outcome.id);
}

function rowCounts(sim: RunningSimulator): (number | undefined)[] {
  return sim
    .requestLog()
    .filter((e) => e.path === `/api/${API_VERSION}/objects/users` && e.method !== 'GET')
    .map((e) => e.rows);
}

const NEW_COLUMNS =
  'user_name__v,user_first_name__v,user_last_name__v,user_email__v,user_timezone__v,user_locale__v,user_language__v,security_policy_id__v,company__v,security_profile__v,license_type__v,vault_membership';

describe('bulk user writes as CSV', () => {
  it('creates, upserts by name and by id, and updates, each as text/csv with exactly the fields its rows set', async () => {
    const sim = await simulator();
    const { client, recorder } = await csvClient(sim);
    const [a, b] = await client.createUsers(
      [newUser('csv.a@veepharm.com', { fields: { company__v: 'Smith, Jones & "Co" \\ Ltd' } }), newUser('csv.b@veepharm.com', { first_name: 'Zoë' })],
      { sentBefore: false },
    );
    const idA = idOf(a);
    const idB = idOf(b);
    expect(await client.upsertUsers('user_name', [{ key: 'csv.a@veepharm.com', values: { last_name: 'Byname' } }])).toEqual([{ ok: true, id: String(idA) }]);
    expect(await client.upsertUsers('id', [{ key: 'csv.b@veepharm.com', user_id: idB, values: { first_name: 'Byid' } }])).toEqual([{ ok: true, id: String(idB) }]);
    expect(
      await client.updateUsers([
        { key: 'csv.a@veepharm.com', user_id: idA, values: { fields: { user_title__v: 'Lead, Trials' } } },
        { key: 'csv.b@veepharm.com', user_id: idB, values: { last_name: 'Line\nBreak' } },
      ]),
    ).toEqual([
      { ok: true, id: String(idA) },
      { ok: true, id: String(idB) },
    ]);

    const common = 'America/New_York,en_US,en,821';
    expect(recorder.writes).toEqual([
      {
        method: 'POST',
        path: '/objects/users',
        contentType: 'text/csv',
        body:
          `${NEW_COLUMNS}\r\n` +
          `csv.a@veepharm.com,New,User,csv.a@veepharm.com,${common},"Smith, Jones & ""Co"" \\\\ Ltd",document_user__v,full__v,5005:true:document_user__v:full__v\r\n` +
          `csv.b@veepharm.com,Zoë,User,csv.b@veepharm.com,${common},,document_user__v,full__v,5005:true:document_user__v:full__v\r\n`,
      },
      {
        method: 'POST',
        path: '/objects/users?operation=upsert&idParam=user_name__v',
        contentType: 'text/csv',
        body: 'user_name__v,user_last_name__v\r\ncsv.a@veepharm.com,Byname\r\n',
      },
      { method: 'POST', path: '/objects/users?operation=upsert&idParam=id', contentType: 'text/csv', body: `id,user_first_name__v\r\n${idB},Byid\r\n` },
      {
        method: 'PUT',
        path: '/objects/users',
        contentType: 'text/csv',
        body: `id,user_title__v,user_last_name__v\r\n${idA},"Lead, Trials",\r\n${idB},,"Line\nBreak"\r\n`,
      },
    ]);
    expect(rowCounts(sim)).toEqual([2, 1, 1, 2]);

    // Vault holds what was sent; the blank cells changed nothing.
    expect(await client.getUser(idA)).toMatchObject({
      user_first_name__v: 'New',
      user_last_name__v: 'Byname',
      company__v: 'Smith, Jones & "Co" \\ Ltd',
      user_title__v: 'Lead, Trials',
    });
    const userB = await client.getUser(idB);
    expect(userB).toMatchObject({ user_first_name__v: 'Byid', user_last_name__v: 'Line\nBreak' });
    expect(userB.user_title__v ?? null).toBeNull();
  });

  it.each(['default', 'clear-null-only', 'clear-empty-only'])('%s: a blank cell leaves the field as it was', async (profile) => {
    const sim = await simulator({ profile });
    const { client, recorder } = await csvClient(sim);
    const [a, b] = await client.createUsers(
      [newUser('keep.a@veepharm.com', { fields: { company__v: 'Acme A', user_title__v: 'Title A' } }), newUser('keep.b@veepharm.com', { fields: { company__v: 'Acme B', user_title__v: 'Title B' } })],
      { sentBefore: false },
    );
    await client.updateUsers([
      { key: 'keep.a@veepharm.com', user_id: idOf(a), values: { fields: { company__v: 'New A' } } },
      { key: 'keep.b@veepharm.com', user_id: idOf(b), values: { fields: { user_title__v: 'New B' } } },
    ]);
    expect(recorder.writes[1]?.body).toBe(`id,company__v,user_title__v\r\n${idOf(a)},New A,\r\n${idOf(b)},,New B\r\n`);
    expect(await client.getUser(idOf(a))).toMatchObject({ company__v: 'New A', user_title__v: 'Title A' });
    expect(await client.getUser(idOf(b))).toMatchObject({ company__v: 'Acme B', user_title__v: 'New B' });
  });

  it('sends 500 rows in one CSV call and refuses 501 before sending anything', async () => {
    const sim = await simulator();
    const { client, recorder } = await csvClient(sim);
    const rows = Array.from({ length: 501 }, (_, i) => newUser(`bulk${i}@veepharm.com`));
    await expect(client.createUsers(rows, { sentBefore: false })).rejects.toThrow(VaultRosterError);
    await expect(client.createUsers(rows, { sentBefore: false })).rejects.toThrow(/501 rows in one call; Vault takes at most 500/);
    expect(recorder.writes).toEqual([]);
    const outcomes = await client.createUsers(rows.slice(0, 500), { sentBefore: false });
    expect(outcomes.filter((o) => o.ok)).toHaveLength(500);
    expect(rowCounts(sim)).toEqual([500]);
    expect(recorder.writes[0]?.body.split('\r\n')).toHaveLength(502);
  });

  it('refuses a value CSV cannot carry before sending the batch, naming the user and field', async () => {
    const sim = await simulator();
    const { client, recorder } = await csvClient(sim);
    await expect(client.createUsers([newUser('cr@veepharm.com', { fields: { company__v: 'a\r\nb' } })], { sentBefore: false })).rejects.toThrow(
      /cannot send company__v of cr@veepharm\.com as CSV: it holds a carriage return/,
    );
    expect(recorder.writes).toEqual([]);
  });
});

describe('bulk user writes as JSON (the default)', () => {
  it('sends application/json objects that hold only the fields each row sets', async () => {
    const sim = await simulator();
    const { client, recorder } = await csvClient(sim, 'json');
    const [a, b] = await client.createUsers([newUser('json.a@veepharm.com'), newUser('json.b@veepharm.com')], { sentBefore: false });
    await client.updateUsers([
      { key: 'json.a@veepharm.com', user_id: idOf(a), values: { fields: { company__v: 'A' } } },
      { key: 'json.b@veepharm.com', user_id: idOf(b), values: { last_name: 'B' } },
    ]);
    const update = recorder.writes[1];
    expect(update?.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(update?.body ?? 'null')).toEqual([
      { id: idOf(a), company__v: 'A' },
      { id: idOf(b), user_last_name__v: 'B' },
    ]);
  });
});
