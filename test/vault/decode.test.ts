import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Membership } from '../../src/model.js';
import { isSystemUser, normaliseLiveUser } from '../../src/vault/live-state.js';
import { decodeUserMemberships, encodeAppLicensing, encodeMembership } from '../../src/vault-api/index.js';

const rim = (apps: Membership['apps'] = {}): Membership => ({
  vault_id: 3003,
  active: true,
  security_profile: 'system_admin__v',
  license_type: 'full__v',
  apps,
});

describe('decodeUserMemberships: both response shapes', () => {
  it.each([
    ['string form', '3003:true:system_admin__v:full__v', '3003|rimReg_v:true:full__v', [rim({ rimReg_v: { active: true, license_type: 'full__v' } })]],
    [
      'object form',
      [{ vault_id: 3003, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
      [{ vault_id: 3003, application_name: 'rimReg_v', active__v: true, license_type__v: 'full__v' }],
      [rim({ rimReg_v: { active: true, license_type: 'full__v' } })],
    ],
    [
      'object form with string ids and booleans',
      [{ vault_id: '3003', active__v: 'true', security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
      [{ vault_id: '3003', application_name: 'rimReg_v', active__v: 'false', license_type__v: 'read_only__v' }],
      [rim({ rimReg_v: { active: false, license_type: 'read_only__v' } })],
    ],
    ['array of strings', ['3003:true:system_admin__v:full__v'], [], [rim()]],
    [
      'several vaults in one string, unsorted',
      '5005:false:document_user__v:read_only__v;3003:true:system_admin__v:full__v',
      '3003|rimReg_v:true:full__v|rimSubs_v:false:external__v;5005|ctms_v:true:read_only__v',
      [
        rim({ rimReg_v: { active: true, license_type: 'full__v' }, rimSubs_v: { active: false, license_type: 'external__v' } }),
        { vault_id: 5005, active: false, security_profile: 'document_user__v', license_type: 'read_only__v', apps: { ctms_v: { active: true, license_type: 'read_only__v' } } },
      ],
    ],
    ['trailing parts default', '4004:false', undefined, [{ vault_id: 4004, active: false, security_profile: 'document_user__v', license_type: 'full__v', apps: {} }]],
    ['apps of a vault without membership are dropped', '3003:true:system_admin__v:full__v', '4004|qualityQms_v:true:full__v', [rim()]],
    ['absent blocks', undefined, undefined, []],
    ['null blocks', null, null, []],
    ['empty string', '', '', []],
  ])('%s', (_name, membership, apps, expected) => {
    expect(decodeUserMemberships(membership, apps)).toEqual(expected);
  });

  it('decodes what it encodes (string form round trip)', () => {
    const appArb = fc.dictionary(
      fc.constantFrom('rimReg_v', 'rimSubs_v', 'ctms_v', 'etmf_v'),
      fc.record({ active: fc.boolean(), license_type: fc.constantFrom('full__v', 'external__v', 'read_only__v', 'learner_user__v' as const) }),
    );
    const membershipArb = fc.record({
      vault_id: fc.integer({ min: 1, max: 99_999 }),
      active: fc.boolean(),
      security_profile: fc.constantFrom('system_admin__v', 'document_user__v', 'custom_profile__c'),
      license_type: fc.constantFrom('full__v', 'external__v', 'read_only__v', 'learner_user__v' as const),
      apps: appArb,
    });
    fc.assert(
      fc.property(fc.uniqueArray(membershipArb, { selector: (m) => m.vault_id, maxLength: 4 }), (memberships) => {
        const vm = memberships.map(encodeMembership).join(';');
        const al = memberships.filter((m) => Object.keys(m.apps).length > 0).map((m) => encodeAppLicensing(m.vault_id, m.apps)).join(';');
        const expected = [...memberships].sort((a, b) => a.vault_id - b.vault_id);
        expect(decodeUserMemberships(vm, al)).toEqual(expected);
      }),
    );
  });
});

describe('normaliseLiveUser', () => {
  const raw = {
    id: '25001',
    user_name__v: ' Maria.Lopez@VeePharm.com ',
    user_first_name__v: 'Maria',
    user_last_name__v: 'Lopez',
    user_email__v: 'maria.lopez@veepharm.com',
    user_timezone__v: 'America/New_York',
    user_locale__v: 'en_US',
    user_language__v: 'en',
    security_policy_id__v: 821,
    license_type__v: 'full__v',
    is_domain_admin__v: false,
    domain_active__v: 'true',
    active__v: true,
    security_profile__v: 'document_user__v',
    created_date__v: '2024-01-01T00:00:00.000Z',
    vault_id__v: [5005],
    company__v: 'VeePharm',
    site__v: null,
    group_id__v: [1, 2],
    vault_membership: [{ vault_id: 5005, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' }],
    app_licensing: '5005|ctms_v:true:full__v',
  };

  it('maps Vault fields to the shared shape and keeps editable extras only', () => {
    expect(normaliseLiveUser(raw)).toEqual({
      id: 25001,
      user_name: 'maria.lopez@veepharm.com',
      first_name: 'Maria',
      last_name: 'Lopez',
      email: 'maria.lopez@veepharm.com',
      timezone: 'America/New_York',
      locale: 'en_US',
      language: 'en',
      security_policy: '821',
      license_type: 'full__v',
      domain_admin: false,
      active: true,
      fields: { company__v: 'VeePharm', site__v: null },
      memberships: [
        { vault_id: 5005, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { ctms_v: { active: true, license_type: 'full__v' } } },
      ],
    });
  });

  it.each([
    ['no id', { user_name__v: 'a@b.com' }],
    ['no user name', { id: 1 }],
    ['blank user name', { id: 1, user_name__v: '  ' }],
  ])('skips a user with %s', (_name, user) => {
    expect(normaliseLiveUser(user)).toBeUndefined();
  });

  it.each([
    ['system email', { user_email__v: 'no-reply@veeva.com' }, true],
    ['system email, other case', { user_email__v: 'No-Reply@Veeva.com' }, true],
    ['human', { user_email__v: 'maria.lopez@veepharm.com' }, false],
    ['no email', {}, false],
  ])('isSystemUser: %s', (_name, user, expected) => {
    expect(isSystemUser(user)).toBe(expected);
  });
});
