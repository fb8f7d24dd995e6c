import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUserMemberships } from '../../src/vault-api/index.js';

const license = fc.constantFrom('full__v', 'read_only__v', 'external__v', 'learner_user__v');
const membership = fc.record({
  vault_id: fc.integer({ min: 1, max: 9999 }),
  active__v: fc.boolean(),
  security_profile__v: fc.constantFrom('document_user__v', 'system_admin__v', 'read_only_user__v'),
  license_type__v: license,
});
const app = fc.record({
  vault_id: fc.integer({ min: 1, max: 9999 }),
  application_name: fc.constantFrom('rimReg_v', 'rimSubs_v', 'qualityQms_v'),
  active__v: fc.boolean(),
  license_type__v: license,
});

/** What a decode gives: the memberships, or that it refused (errors may word a problem differently). */
function outcome(decode: () => unknown): unknown {
  try {
    return decode();
  } catch {
    return 'refused';
  }
}

describe('decodeUserMemberships', () => {
  it('decodes the object shape (fast path) exactly as the documented string encodings (general path), refusals included', () => {
    fc.assert(
      fc.property(fc.array(membership, { maxLength: 4 }), fc.array(app, { maxLength: 6 }), fc.boolean(), (members, apps, placeApps) => {
        // Mostly apps in vaults the user belongs to; sometimes anywhere (both paths must refuse those),
        // and duplicates of vaults or apps now and then (refused too).
        const placed = placeApps ? apps.map((a, i) => ({ ...a, vault_id: members[i % Math.max(1, members.length)]?.vault_id ?? a.vault_id })) : apps;
        const asStrings = [
          members.map((m) => `${m.vault_id}:${m.active__v}:${m.security_profile__v}:${m.license_type__v}`).join(';'),
          placed.map((a) => `${a.vault_id}|${a.application_name}:${a.active__v}:${a.license_type__v}`).join(';'),
        ] as const;
        expect(outcome(() => decodeUserMemberships(members, placed))).toEqual(outcome(() => decodeUserMemberships(...asStrings)));
      }),
    );
  });

  it('reads the alternate key spellings exactly as the canonical ones', () => {
    fc.assert(
      fc.property(fc.uniqueArray(membership, { selector: (m) => m.vault_id, maxLength: 3 }), (members) => {
        const alternate = members.map((m) => ({
          vault_id__v: String(m.vault_id),
          status__v: m.active__v ? 'active__v' : 'inactive__v',
          security_profile__v: [m.security_profile__v],
          license_type__v: m.license_type__v,
        }));
        expect(decodeUserMemberships(alternate, null)).toEqual(decodeUserMemberships(members, []));
      }),
    );
  });
});
