import { describe, expect, it } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import { asId, envelopeError, parseRowResults } from '../../src/vault/envelope.js';
import { Redactor, safePath } from '../../src/vault/redact.js';
import { backoffDelay, BACKOFF_CAP_MS } from '../../src/vault/retry.js';
import { formFields } from '../../src/vault/users.js';

const ctx = { method: 'POST', path: '/api/v25.2/objects/users' };

describe('envelopeError', () => {
  it.each([
    ['success', { responseStatus: 'SUCCESS' }, undefined],
    ['warning counts as processed', { responseStatus: 'WARNING', warnings: [{ type: 'X', message: 'y' }] }, undefined],
    ['failure', { responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA', message: 'bad' }] }, { status: 'FAILURE', type: 'INVALID_DATA', message: 'bad' }],
    ['exception', { responseStatus: 'EXCEPTION', errors: [{ type: 'UNEXPECTED_ERROR', message: 'boom' }] }, { status: 'EXCEPTION', type: 'UNEXPECTED_ERROR', message: 'boom' }],
    ['auth errorType only', { responseStatus: 'FAILURE', errorType: 'AUTHENTICATION_FAILED' }, { status: 'FAILURE', type: 'AUTHENTICATION_FAILED', message: 'no message' }],
    ['no responseStatus', {}, { status: 'MISSING', type: 'INVALID_RESPONSE', message: 'the response has no responseStatus' }],
  ])('%s', (_name, body, expected) => {
    expect(envelopeError(body)).toEqual(expected);
  });
});

describe('parseRowResults', () => {
  it('pairs rows in input order, ids as numbers or strings, failures with their error', () => {
    const data = [
      { responseStatus: 'SUCCESS', id: '12021' },
      { responseStatus: 'FAILURE', id: '22124', errors: [{ type: 'INVALID_DATA', message: 'bad profile' }] },
      { responseStatus: 'SUCCESS', id: 12022 },
      { responseStatus: 'FAILURE', errors: [{ type: 'PARAMETER_REQUIRED', message: 'Missing required parameter [user_email__v]' }] },
      { responseStatus: 'SUCCESS' },
    ];
    expect(parseRowResults(['a', 'b', 'c', 'd', 'e'], data, ctx)).toEqual([
      { index: 0, key: 'a', ok: true, id: 12021 },
      { index: 1, key: 'b', ok: false, id: 22124, errorType: 'INVALID_DATA', message: 'bad profile' },
      { index: 2, key: 'c', ok: true, id: 12022 },
      { index: 3, key: 'd', ok: false, errorType: 'PARAMETER_REQUIRED', message: 'Missing required parameter [user_email__v]' },
      { index: 4, key: 'e', ok: false, errorType: 'INVALID_RESPONSE', message: 'Vault reported success without an id' },
    ]);
  });

  it.each([
    ['fewer results than rows', [{ responseStatus: 'SUCCESS', id: 1 }], ['a', 'b']],
    ['more results than rows', [{ responseStatus: 'SUCCESS', id: 1 }, { responseStatus: 'SUCCESS', id: 2 }], ['a']],
    ['no data array', undefined, ['a']],
  ])('refuses %s', (_name, data, keys) => {
    expect(() => parseRowResults(keys, data, ctx)).toThrow(VaultRosterError);
  });

  it('reads promote results by their user_id', () => {
    expect(parseRowResults(['p'], [{ source_person_id: 'V0B1', user_id: '39' }], { ...ctx, idField: 'user_id' })).toEqual([
      { index: 0, key: 'p', ok: true, id: 39 },
    ]);
  });
});

describe('asId', () => {
  it.each([
    [25001, 25001],
    ['25001', 25001],
    [' 7 ', 7],
    ['V0B000000000001', undefined],
    ['1.5', undefined],
    [null, undefined],
    [true, undefined],
  ])('%j → %j', (input, expected) => {
    expect(asId(input)).toBe(expected);
  });
});

describe('Redactor', () => {
  it('masks registered secrets in text and in nested data, and secret-named keys', () => {
    const r = new Redactor();
    r.add('s3cr3t-pass');
    r.add('SESSION123');
    r.add('');
    expect(r.text('login s3cr3t-pass then SESSION123 and SESSION123')).toBe('login *** then *** and ***');
    expect(r.value({ a: ['x SESSION123'], password: 'anything', Authorization: 'other', n: 1 })).toEqual({
      a: ['x ***'],
      password: '***',
      Authorization: '***',
      n: 1,
    });
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('abcdef');
    expect(r.text('abcdef')).toBe('***');
  });

  it('safePath masks secret-named query parameters', () => {
    const r = new Redactor();
    expect(safePath('/api/v25.2/objects/users?limit=10&sessionId=X&password=Y', r)).toBe(
      '/api/v25.2/objects/users?limit=10&sessionId=***&password=***',
    );
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0.5, 125],
    [1, 0.5, 250],
    [3, 0.999, 1998],
    [0, 0, 0],
    [20, 0.5, BACKOFF_CAP_MS / 2],
  ])('attempt %d, random %d → %d ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, () => random)).toBe(expected);
  });
});

describe('formFields', () => {
  it('sends null as the literal null to clear a field', () => {
    expect(formFields({ site__v: null, is_domain_admin__v: false, security_policy_id__v: 821, company__v: 'X' })).toEqual({
      site__v: 'null',
      is_domain_admin__v: 'false',
      security_policy_id__v: '821',
      company__v: 'X',
    });
  });
});
