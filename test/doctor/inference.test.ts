/** Pure parts of the doctor: paging inference, membership shape classification, pseudonyms. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyShape, describeRaw, inferPaging, Pseudonyms, type PageObservation } from '../../src/doctor/index.js';

const page = (start: number, requested: number, received: number, limit: unknown, size: unknown): PageObservation => ({ start, requested, received, limit, size });

describe('inferPaging', () => {
  it.each([
    ['one page, size = page length', page(0, 1000, 230, 1000, 230), page(230, 1000, 0, 1000, 0), undefined, { size: 'page' }],
    ['one page, size = total', page(0, 1000, 230, 1000, 230), page(230, 1000, 0, 1000, 230), undefined, { size: 'total' }],
    ['capped at 200, echoed as applied', page(0, 1000, 200, 200, 200), page(200, 1000, 30, 200, 30), undefined, { pageCap: 200, overCap: 'clamp', limitEcho: 'applied', size: 'page' }],
    ['capped at 200, echoed as requested', page(0, 1000, 200, 1000, 200), page(200, 1000, 30, 1000, 30), undefined, { pageCap: 200, overCap: 'clamp', limitEcho: 'requested', size: 'page' }],
    ['capped at 200, no echo, size total', page(0, 1000, 200, undefined, 230), page(200, 1000, 30, undefined, 230), undefined, { pageCap: 200, overCap: 'clamp', limitEcho: 'none', size: 'total' }],
    ['1000 refused, 200 served', page(0, 200, 200, 200, 200), page(200, 200, 30, 200, 30), 1000, { pageCap: 200, overCap: 'refuse', size: 'page' }],
    ['a full page of 1000', page(0, 1000, 1000, '1000', '1000'), page(1000, 1000, 5, '1000', '5'), undefined, { pageCap: 1000, size: 'page' }],
  ] as const)('%s', (_name, first, second, refused, read) => {
    const out = inferPaging(first, second, refused);
    expect(out.read).toEqual(read);
    expect(out.anomalies).toEqual([]);
    expect(out.notes.length).toBeGreaterThan(0);
  });

  it.each([
    ['more users than the limit', page(0, 200, 201, 200, 201), '201 users on a page of limit 200'],
    ['a size below the page length', page(0, 1000, 50, 1000, 10), 'size 10 is less than the 50 users on the page'],
    ['a limit that is not a number', page(0, 1000, 50, 'lots', 50), '"limit" is "lots", not a positive whole number'],
  ])('flags %s', (_name, first, anomaly) => {
    expect(inferPaging(first, page(first.received, first.requested, 0, first.limit, 0)).anomalies).toContain(anomaly);
  });

  it('never claims a switch it has no evidence for', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), (n) => {
        // The whole listing on one page, limit echoed as requested: cap and echo cannot be told.
        const out = inferPaging(page(0, 1000, n, 1000, n), n === 0 ? undefined : page(n, 1000, 0, 1000, 0));
        expect(out.read.pageCap).toBeUndefined();
        expect(out.read.limitEcho).toBeUndefined();
      }),
    );
  });
});

describe('classifyShape', () => {
  it.each([
    [[{ vault_id: 3003, active__v: true }], [], 'objects'],
    [[{ vault_id__v: '3003', active__v: 'true' }], [], 'objects-alt-keys'],
    [[{ id: 3003, status__v: 'active__v' }], [], 'objects-picklist'],
    ['3003:true:document_user__v:full__v', '', 'string'],
    [['3003:true:document_user__v:full__v'], [], 'string-array'],
    [[], '3003|rimReg_v:true:full__v', 'string'],
    [[], [], undefined],
    [[{ vault: 1 }], [], undefined],
  ])('%j / %j is %s', (memberships, apps, shape) => {
    expect(classifyShape(memberships, apps)).toBe(shape);
  });

  it('describes types and keys, not values', () => {
    expect(describeRaw([{ vault_id: 3003, active__v: true }])).toBe('array of 1 object(s) {vault_id: number, active__v: boolean}');
    expect(describeRaw('3003:true')).toBe('string (9 chars)');
    expect(describeRaw(undefined)).toBe('absent');
  });
});

describe('Pseudonyms', () => {
  it('maps the same value to the same fake and different values apart, keeping e-mail shape', () => {
    fc.assert(
      fc.property(fc.array(fc.emailAddress(), { minLength: 1, maxLength: 30 }), (emails) => {
        const ps = new Pseudonyms();
        const fakes = emails.map((e) => ps.email(e));
        emails.forEach((e, i) => {
          expect(ps.email(e.toUpperCase())).toBe(fakes[i]);
          expect(fakes[i]).toMatch(/^user\d{4}@domain\d+\.example\.com$/);
        });
        expect(new Set(fakes).size).toBe(new Set(emails.map((e) => e.toLowerCase())).size);
      }),
    );
  });

  it('keeps a system user name local part and replaces its domain like any other', () => {
    const ps = new Pseudonyms();
    expect(ps.email('jane@veepharm.com')).toBe('user0001@domain1.example.com');
    expect(ps.systemEmail('system@veepharm.com')).toBe('system@domain1.example.com');
    expect(ps.firstName('Jane')).toBe(ps.firstName('Jane'));
    expect(ps.text('office_phone__v', '+1 919 555 0100', 20)).toBe('office-phone-1');
  });
});
