/**
 * Views of a seat report: text (terminal), Markdown (an issue or PR body) and JSON (the report
 * document itself, `specs/seats.schema.json`). Every view labels the edits "suggested, not applied".
 */
import type { InactiveHolder, SeatReport, SeatRow, SuggestedEdit } from './types.js';

export const SEAT_REPORT_FORMATS = ['text', 'markdown', 'json'] as const;
export type SeatReportFormat = (typeof SEAT_REPORT_FORMATS)[number];

const NOT_APPLIED = 'Suggested, not applied: vault-roster changed nothing. Make the edits in a pull request; plan and apply reclaim the seats.';

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function seatLabel(row: SeatRow): string {
  return row.application === null ? `${row.license_type} (vault licence)` : `${row.application} ${row.license_type}`;
}

function over(row: SeatRow): boolean {
  return row.licensed !== null && row.after > row.licensed;
}

function holds(h: InactiveHolder): string {
  const parts = [...(h.full_license === null ? [] : [h.full_license]), ...h.apps.map((a) => `${a.application} ${a.license_type}`)];
  return parts.join(', ');
}

function standing(h: InactiveHolder): string {
  return h.standing === 'never' ? 'never logged in' : `last login ${h.last_login?.slice(0, 10) ?? '?'} (${h.days_since_login ?? '?'} days ago)`;
}

function place(e: SuggestedEdit): string {
  return `${e.file}:${e.line}:${e.col}`;
}

function heading(report: SeatReport): string {
  const scope = report.vault_ids.length === 1 ? `vault ${report.vault_ids[0]}` : `vaults ${report.vault_ids.join(', ')}`;
  return `Seat and inactivity report for ${report.server} (${scope}; session vault ${report.session_vault_id}) as of ${report.as_of}`;
}

function planLine(report: SeatReport): string {
  const p = report.plan;
  const state = p.applicable ? 'after plan = these changes applied' : `the plan has ${p.blocking} blocking problem(s): after plan assumes they are fixed`;
  return `Current plan: ${p.changes} change(s); ${state}.`;
}

function textSeats(report: SeatReport): string[] {
  if (report.seats.length === 0) return ['  (no licence seats held or reported)'];
  const labels = report.seats.map((r) => `vault ${r.vault_id}  ${seatLabel(r)}`);
  const width = Math.max(...labels.map((l) => l.length));
  const lines = report.seats.map((r, i) => {
    const licensed = r.licensed === null ? 'licensed not reported' : `${r.licensed} licensed`;
    const used = `${r.used} used${r.verified ? '' : '*'}`;
    return `  ${(labels[i] ?? '').padEnd(width)}  ${licensed}, ${used} → ${r.after} after plan (${signed(r.change)})${over(r) ? '  OVER' : ''}`;
  });
  const notes = [...new Set(report.seats.filter((r) => r.note !== null).map((r) => `vault ${r.vault_id}: ${r.note ?? ''}`))];
  if (report.seats.some((r) => !r.verified)) lines.push('  * unverified: counted from the user listing, not reported by Vault');
  return [...lines, ...notes.map((n) => `  note: ${n}`)];
}

function textInactive(report: SeatReport): string[] {
  const lines: string[] = [];
  for (const h of report.inactive) {
    lines.push(`  vault ${h.vault_id}  ${h.user_name}  ${standing(h)}${h.multi_vault ? ' (several vaults)' : ''}; holds ${holds(h)}`);
    lines.push(`    suggested: ${h.suggestion.summary}`);
    for (const e of h.suggestion.edits) lines.push(`      ${place(e)}${e.current === null ? '' : `  ${e.current}`}  → ${e.edit}`);
  }
  return lines.length === 0 ? ['  (none)'] : lines;
}

export function seatReportText(report: SeatReport): string {
  const out = [heading(report), planLine(report), '', 'Licence seats:', ...textSeats(report), ''];
  out.push(`Licence holders who never logged in or not for ${report.dormant_days} days (${report.inactive.length}):`, ...textInactive(report));
  if (report.login_not_reported.length > 0) {
    out.push('', 'Licence holders whose last login Vault did not report (not counted as inactive):');
    for (const u of report.login_not_reported) out.push(`  vault ${u.vault_id}  ${u.user_name}`);
  }
  if (report.inactive.length > 0) out.push('', NOT_APPLIED);
  for (const note of report.notes) out.push('', `Note: ${note}`);
  return `${out.join('\n')}\n`;
}

/** Markdown table cells hold no pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function seatReportMarkdown(report: SeatReport): string {
  const out = [`### ${cell(heading(report))}`, '', planLine(report), '', '| Vault | Seat | Licensed | Used | After plan | Change |', '| ---: | --- | ---: | ---: | ---: | ---: |'];
  for (const r of report.seats) {
    const used = r.verified ? String(r.used) : `${r.used} (counted)`;
    out.push(`| ${r.vault_id} | ${cell(seatLabel(r))} | ${r.licensed ?? 'not reported'} | ${used} | ${r.after}${over(r) ? ' **OVER**' : ''} | ${signed(r.change)} |`);
  }
  const notes = [...new Set(report.seats.filter((r) => r.note !== null).map((r) => `vault ${r.vault_id}: ${r.note ?? ''}`))];
  if (notes.length > 0) out.push('', ...notes.map((n) => `- ${cell(n)}`));
  out.push('', `#### Never logged in or not for ${report.dormant_days} days (${report.inactive.length})`, '');
  if (report.inactive.length > 0) out.push(`> **${NOT_APPLIED}**`, '');
  for (const h of report.inactive) {
    out.push(`- [ ] vault ${h.vault_id} ${code(h.user_name)}: ${cell(standing(h))}; holds ${cell(holds(h))}. Suggested: ${cell(h.suggestion.summary)}`);
    for (const e of h.suggestion.edits) out.push(`  - ${code(place(e))}${e.current === null ? '' : ` ${code(e.current)}`}: ${cell(e.edit)}`);
  }
  if (report.inactive.length === 0) out.push('None.');
  if (report.login_not_reported.length > 0) {
    out.push('', '#### Last login not reported by Vault', '', ...report.login_not_reported.map((u) => `- vault ${u.vault_id} ${code(u.user_name)}`));
  }
  for (const note of report.notes) out.push('', `_${cell(note)}_`);
  return `${out.join('\n')}\n`;
}

export function renderSeatReport(report: SeatReport, format: SeatReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  return format === 'markdown' ? seatReportMarkdown(report) : seatReportText(report);
}
