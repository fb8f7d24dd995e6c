import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Membership } from '../../src/model.js';
import { isSystemUser, normaliseLiveUser } from '../../src/vault/live-state.js';
import { decodeUserMemberships, encodeAppLicensing, encodeMembership, WireDecodeError } from '../../src/vault-api/index.js';

const rim = (apps: Membership['apps'] = {}, active = true): Membership => ({
  vault_id: 3003,
  active,
  security_profile: 'system_admin__v',
  license_type: 'full__v',
  apps,
});
const reg = { rimReg_v: { active: true, license_type: 'full__v' } } as const;

/** The error a decoder throws, as `field: reason`; fails the test when it does not throw. */
function refusal(decode: () => unknown): string {
  try {
    decode();
  } catch (error) {
    if (error instanceof WireDecodeError) return `${error.field}: ${error.reason}`;
    throw error;
  }
  throw new Error('expected a WireDecodeError');
}

describe('decodeUserMemberships: every plausible response shape', () => {
  it.each([
    ['one encoded string', '3003:true:system_admin__v:full__v', '3003|rimReg_v:true:full__v', [rim(reg)]],
    [
      'objects (§5.3)',
      [{ vault_id: 3003, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
      [{ vault_id: 3003, application_name: 'rimReg_v', active__v: true, license_type__v: 'full__v' }],
      [rim(reg)],
    ],
    [
      'objects with __v key spellings, string ids and booleans',
      [{ vault_id__v: '3003', active__v: 'true', security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
      [{ vault_id__v: '3003', application_name__v: 'rimReg_v', active__v: 'FALSE', license_type__v: 'read_only__v' }],
      [rim({ rimReg_v: { active: false, license_type: 'read_only__v' } })],
    ],
    [
      'objects keyed by id with the status__v picklist',
      [{ id: 3003, status__v: 'inactive__v', security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
      [{ id: 3003, application_name: 'rimReg_v', status__v: ['active__v'], license_type__v: ['full__v'] }],
      [rim(reg, false)],
    ],
    [
      'vault_id wins over an id that may be the entry’s own',
      [{ id: 'VM-1', vault_id: 3003, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
      [],
      [rim()],
    ],
    ['an array of strings', ['3003:true:system_admin__v:full__v'], ['3003|rimReg_v:true:full__v'], [rim(reg)]],
    [
      'several vaults in one string, unsorted, with spaces',
      ' 5005:false:document_user__v:read_only__v ; 3003:true:system_admin__v:full__v;',
      '3003|rimReg_v:true:full__v|rimSubs_v:false:external__v;5005|ctms_v:true:read_only__v',
      [
        rim({ rimReg_v: { active: true, license_type: 'full__v' }, rimSubs_v: { active: false, license_type: 'external__v' } }),
        { vault_id: 5005, active: false, security_profile: 'document_user__v', license_type: 'read_only__v', apps: { ctms_v: { active: true, license_type: 'read_only__v' } } },
      ],
    ],
    [
      'strings and objects mixed in one array',
      ['3003:true:system_admin__v:full__v', { vault_id: 4004, active__v: false, security_profile__v: 'custom_qa__c', license_type__v: 'external__v' }],
      '3003|rimReg_v:true:full__v',
      [rim(reg), { vault_id: 4004, active: false, security_profile: 'custom_qa__c', license_type: 'external__v', apps: {} }],
    ],
    ['null blocks', null, null, []],
    ['empty strings', '', '', []],
    ['empty arrays', [], [], []],
  ])('%s', (_name, membership, apps, expected) => {
    expect(decodeUserMemberships(membership, apps)).toEqual(expected);
  });

  it.each([
    ['a membership missing its profile and license', '4004:false', [], 'vault_membership: entry does not have the 4 parts'],
    ['an empty middle part', '3003::system_admin__v:full__v', [], 'vault_membership: entry does not have the 4 parts'],
    ['a fifth part', '3003:true:system_admin__v:full__v:x', [], 'vault_membership: entry does not have the 4 parts'],
    ['a vault id that is no number', 'rim:true:system_admin__v:full__v', [], 'vault_membership (vault id): expected a positive whole number'],
    ['an active flag that is no boolean', '3003:yes:system_admin__v:full__v', [], 'vault_membership (active flag): expected true, false'],
    ['an unknown license type', '3003:true:system_admin__v:portal__v', [], 'vault_membership (license type): expected a license type'],
    ['a profile record id instead of a name', '3003:true:0SP000000000109:full__v', [], 'vault_membership (security profile): expected a security profile name'],
    ['an app missing its license type', '3003:true:system_admin__v:full__v', '3003|rimReg_v:true', 'app_licensing: entry does not have the 3 parts'],
    ['a vault with no app after it', '3003:true:system_admin__v:full__v', '3003', 'app_licensing: entry has no'],
    ['the 26.2 doc typo without `|`', '3003:true:system_admin__v:full__v', '3003rimReg_v:true:full__v', 'app_licensing: entry has no'],
    [
      'an object without a license type',
      [{ vault_id: 3003, active__v: true, security_profile__v: 'system_admin__v' }],
      [],
      'vault_membership: entry has none of license_type__v, license_type',
    ],
    [
      'an object with a null profile',
      [{ vault_id: 3003, active__v: true, security_profile__v: null, license_type__v: 'full__v' }],
      [],
      'vault_membership.security_profile__v: expected a picklist value',
    ],
    [
      'an object whose two active spellings disagree',
      [{ vault_id: 3003, active__v: true, status__v: 'inactive__v', security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
      [],
      'vault_membership: active__v and status__v disagree',
    ],
    [
      'an object whose vault id spellings disagree',
      [{ vault_id: 3003, vault_id__v: 4004, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
      [],
      'vault_membership: vault_id and vault_id__v disagree',
    ],
    [
      'an app object without an application name',
      [{ vault_id: 3003, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
      [{ vault_id: 3003, name: 'rimReg_v', active__v: true, license_type__v: 'full__v' }],
      'app_licensing: entry has none of application_name',
    ],
    ['a lone object', { vault_id: 3003, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' }, [], 'vault_membership: expected an encoded string or an array'],
    ['a number', 3003, [], 'vault_membership: expected an encoded string or an array'],
    ['a nested array', [['3003:true:system_admin__v:full__v']], [], 'vault_membership: array element is neither'],
    ['the same vault twice', '3003:true:system_admin__v:full__v;3003:false:system_admin__v:full__v', [], 'vault_membership: vault 3003 is listed twice'],
    ['the same app twice', '3003:true:system_admin__v:full__v', '3003|rimReg_v:true:full__v|rimReg_v:false:full__v', 'app_licensing: application rimReg_v is listed twice'],
    ['an app in a vault the user is not a member of', '3003:true:system_admin__v:full__v', '25001|qualityQms_v:true:full__v', 'app_licensing: names vault 25001, which is not among the user'],
    ['an absent block', undefined, [], 'vault_membership: absent from the answer'],
  ])('refuses %s', (_name, membership, apps, message) => {
    expect(refusal(() => decodeUserMemberships(membership, apps))).toContain(message);
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
      last_login: { kind: 'not_reported' },
    });
  });

  it('reads null text as "no value" rather than refusing or inventing one', () => {
    const user = normaliseLiveUser({ ...raw, user_language__v: null });
    expect(user.language).toBeUndefined();
    expect('language' in user).toBe(false);
  });

  it.each([
    ['no id', { id: undefined }, 'id: absent from the answer'],
    ['an id that is no number', { id: 'abc' }, 'id: expected a positive whole number (an id)'],
    ['no user name', { user_name__v: undefined }, 'user_name__v: absent from the answer'],
    ['a blank user name', { user_name__v: '  ' }, 'user_name__v: is empty'],
    ['no email', { user_email__v: undefined }, 'user_email__v: absent from the answer'],
    ['a first name that is an object', { user_first_name__v: { text: 'Maria' } }, 'user_first_name__v: expected text'],
    ['no domain_active__v', { domain_active__v: undefined }, 'domain_active__v: absent from the answer'],
    ['a domain_active__v that is no boolean', { domain_active__v: 'yes' }, 'domain_active__v: expected true or false'],
    ['a null is_domain_admin__v', { is_domain_admin__v: null }, 'is_domain_admin__v: expected true or false'],
    ['no vault_membership while vault_id__v lists vaults', { vault_membership: undefined }, 'vault_membership: absent from the answer'],
    ['no app_licensing beside memberships', { app_licensing: undefined }, 'app_licensing: absent from the answer'],
  ])('refuses a user with %s', (_name, change, message) => {
    const user = Object.fromEntries(Object.entries({ ...raw, ...change }).filter(([, v]) => v !== undefined));
    expect(refusal(() => normaliseLiveUser(user))).toBe(message);
  });

  it('believes absent blocks only when Vault lists no vault for the user', () => {
    const { vault_membership: _vm, app_licensing: _al, ...rest } = raw;
    expect(normaliseLiveUser({ ...rest, vault_id__v: [] }).memberships).toEqual([]);
    expect(normaliseLiveUser({ ...rest, vault_membership: [], vault_id__v: [] }).memberships).toEqual([]);
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
