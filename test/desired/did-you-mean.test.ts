import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestMatch } from '../../src/desired/did-you-mean.js';

const KEYS = ['full__v', 'user_name', 'first_name', 'last_name', 'email', 'memberships', 'license_type', 'security_policy'];

describe('closestMatch', () => {
  it.each([
    ['swapped letters', 'emial', 'email'],
    ['missing letter', 'user_nam', 'user_name'],
    ['case', 'Email', 'email'],
    ['extra letter', 'membershipss', 'memberships'],
    ['plural', 'license_types', 'license_type'],
    ['missing suffix', 'full', 'full__v'],
  ])('%s: %s → %s', (_name, input, expected) => {
    expect(closestMatch(input, KEYS)).toBe(expected);
  });

  it.each([['unrelated', 'colour'], ['empty candidates', 'x']])('%s gives no suggestion', (name, input) => {
    expect(closestMatch(input, name === 'empty candidates' ? [] : KEYS)).toBeUndefined();
  });

  it('always suggests an exact candidate for itself (property)', () => {
    fc.assert(fc.property(fc.constantFrom(...KEYS), (key) => closestMatch(key, KEYS) === key));
  });
});
