/**
 * A hand-built desired/live pair that exercises every kind of change, a guard and the
 * diagnostics, planned once for the golden files of the three views.
 */
import { createPlan, type Plan } from '../../src/plan/index.js';
import { ADMIN, ADMIN_DESIRED, OPTIONS, appliedPerson, desiredState, desiredUser, liveState, liveUser, sitevaultPerson } from '../plan/fixtures.js';

const M3003 = { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' } } } as const;
const M4004 = { vault_id: 4004, active: true, security_profile: 'read_only_user__v', license_type: 'read_only__v', apps: {} } as const;

export function goldenPlan(): Plan {
  const jerry = sitevaultPerson('jerry.cotter@company.com', { org: { org_id: 'V42000000001001', role: 'org_admin__v', addons: ['org_patients__v'] } });
  const maria = sitevaultPerson('maria.lopez@company.com', { first_name: 'Maria', last_name: 'Lopez', sites: [] });
  const desired = desiredState({
    users: [
      ADMIN_DESIRED,
      desiredUser('amy.new@veepharm.com', { first_name: 'Amy', last_name: 'New', memberships: [M3003, M4004] }),
      desiredUser('bob.change@veepharm.com', { first_name: 'Robert', memberships: [{ ...M3003, security_profile: 'system_admin__v', apps: { rimReg_v: { active: true, license_type: 'read_only__v' } } }] }),
      desiredUser('carl.back@veepharm.com', { first_name: 'Carl' }),
      desiredUser('dora.leaving@veepharm.com', { first_name: 'Dora', active: false }),
      desiredUser('olivia.rue@veepharm.com', { first_name: 'Olivia', last_name: 'Rue', promote_from_person: 'V0B00000000D001' }),
      desiredUser('paul.taken@veepharm.com', { promote_from_person: 'V0B00000000D002' }),
      desiredUser('quinn.same@veepharm.com', { first_name: 'Quinn' }),
      desiredUser('root@veepharm.com', { first_name: 'Root', fields: { company__v: null } }),
    ],
    sitevault: [jerry, maria],
    policy: { max_deactivations: 0, protected_users: ['root@veepharm.com'] },
  });
  const live = liveState({
    users: [
      ADMIN,
      liveUser('bob.change@veepharm.com', 25002, { first_name: 'Bob', memberships: [M3003, M4004] }),
      liveUser('carl.back@veepharm.com', 25003, { first_name: 'Carl', active: false }),
      liveUser('dora.leaving@veepharm.com', 25004, { first_name: 'Dora' }),
      liveUser('quinn.same@veepharm.com', 25005, { first_name: 'Quinn' }),
      liveUser('root@veepharm.com', 25006, { first_name: 'Root' }),
      liveUser('zed.unknown@veepharm.com', 25007, { first_name: 'Zed' }),
    ],
    persons: [
      { id: 'V0B00000000D001', email: 'olivia.rue@veepharm.com', first_name: 'Olivia', last_name: 'Rue', user_id: null },
      { id: 'V0B00000000D002', email: 'paul@veepharm.com', first_name: 'Paul', last_name: 'Taken', user_id: '40' },
    ],
    sitevault: [appliedPerson(sitevaultPerson('maria.lopez@company.com', { first_name: 'Maria', last_name: 'Lopez' }), 'V0B000000001002'), appliedPerson(sitevaultPerson('old.staff@company.com'), 'V0B000000001003')],
    licenses: [{ application: 'rimReg_v', license_type: 'full__v', licensed: 10, used: 4 }],
  });
  return createPlan(desired, live, { ...OPTIONS, allow: { protected_users: true }, git_commit: '0123456789abcdef0123456789abcdef01234567' });
}
