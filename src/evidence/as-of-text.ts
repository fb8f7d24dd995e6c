/** The as-of listing as text: the answer, then the applies it rests on, the warnings and the limits. */
import type { AsOfReport, MembershipAccess, UserAccess } from './as-of.js';

function membershipLine(m: MembershipAccess): string {
  const apps = Object.entries(m.apps).filter(([, a]) => a.active).map(([code, a]) => `${code} (${a.license_type})`);
  const grant = m.grant === undefined ? '' : `, ${m.grant.valid_from ?? '…'} to ${m.grant.valid_until ?? '…'} (${m.grant.state})`;
  return `    vault ${m.vault_id}: ${m.active ? 'ACTIVE' : 'no access'}, ${m.security_profile}, licence ${m.license_type}${apps.length === 0 ? '' : `, apps ${apps.join(', ')}`}${grant}`;
}

function userLines(u: UserAccess): string[] {
  const grant = u.grant === undefined ? '' : ` (account ${u.grant.valid_from ?? '…'} to ${u.grant.valid_until ?? '…'}: ${u.grant.state})`;
  const out = [`  ${u.user_name}: ${u.active ? 'active' : 'NO ACCESS (inactive or outside its time box)'}${u.domain_admin ? ', Domain Admin' : ''}${u.license_type === null ? '' : `, licence ${u.license_type}`}${grant}`];
  out.push(...u.memberships.map(membershipLine));
  if (u.groups.length > 0) out.push(`    groups: ${u.groups.join(', ')}`);
  for (const note of u.notes) out.push(`    note: ${note}`);
  return out;
}

export function asOfText(report: AsOfReport): string {
  const out: string[] = [`Access as of ${report.as_of} (a RECONSTRUCTION, see the limits below)`];
  out.push(`YAML on that date: commit ${report.declared_commit.sha} (${report.declared_commit.date})`);
  out.push(
    report.basis === 'last-apply'
      ? `Access listed: the desired files of commit ${report.basis_commit.sha} (${report.basis_commit.date}), which the last apply finished by then ran`
      : `Access listed: the desired files of commit ${report.basis_commit.sha}, as declared (no apply had finished by then)`,
  );
  for (const w of report.warnings) out.push(`warning: ${w}`);
  out.push('', `Users (${report.users.length}):`);
  for (const u of report.users) out.push(...userLines(u));
  out.push('', `Applies on record by then (${report.applies.length}):`);
  for (const a of report.applies) {
    const state = a.finished_at === null ? 'NOT FINISHED (pending or interrupted)' : `finished ${a.finished_at}`;
    out.push(`  plan ${a.plan_id}: vault ${a.vault_id ?? '?'}, commit ${a.git_commit ?? 'none'}, started ${a.started_at}, ${state}, ${a.failures.length} failed rows${a.plan_kept ? '' : ' (plan not kept: its changes are unknown here)'}`);
    for (const f of a.failures.slice(0, 20)) out.push(`    failed: ${f.key}: ${f.error}`);
  }
  out.push('', 'Limits of this reconstruction:', ...report.limits.map((l) => `  - ${l}`), '');
  return out.join('\n');
}
