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

describe('decodeUserMemberships', () => {
  it('decodes the object shape (fast path) exactly as the documented string encodings (general path)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(membership, { selector: (m) => m.vault_id, maxLength: 4 }), fc.array(app, { maxLength: 6 }), (members, apps) => {
        // Apps mostly in vaults the user belongs to, some not (those are dropped by both paths).
        const placed = apps.map((a, i) => ({ ...a, vault_id: members[i % Math.max(1, members.length)]?.vault_id ?? a.vault_id }));
        const unique = [...new Map(placed.map((a) => [`${a.vault_id}|${a.application_name}`, a])).values()];
        const asStrings = [
          members.map((m) => `${m.vault_id}:${m.active__v}:${m.security_profile__v}:${m.license_type__v}`).join(';'),
          unique.map((a) => `${a.vault_id}|${a.application_name}:${a.active__v}:${a.license_type__v}`).join(';'),
        ] as const;
        expect(decodeUserMemberships(members, unique)).toEqual(decodeUserMemberships(...asStrings));
      }),
    );
  });
});
