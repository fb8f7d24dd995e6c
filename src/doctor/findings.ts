/**
 * Doctor findings: one line of verdict (OK / WARN / FAIL), a title, detail lines and what to do,
 * and the report they make up. Findings name vaults and users by id only, so the same report can
 * go into a bug report (`doctor --record`) without a person's name or a customer's vault name.
 */
export type FindingStatus = 'OK' | 'WARN' | 'FAIL';

export interface Finding {
  /** Stable id for scripts: `login`, `users-paging`, … */
  readonly id: string;
  readonly status: FindingStatus;
  readonly title: string;
  readonly detail: readonly string[];
  /** What to do; empty when nothing needs doing. */
  readonly action: string;
}

export const REPORT_FORMAT = 'vault-roster-doctor/1';

export interface DoctorReport {
  readonly format: typeof REPORT_FORMAT;
  readonly tool_version: string;
  readonly created_at: string;
  readonly api_version: string;
  /** The vault the session is in, once known. */
  readonly vault_id: number | undefined;
  readonly summary: Readonly<Record<FindingStatus, number>>;
  readonly findings: readonly Finding[];
}

export function finding(id: string, status: FindingStatus, title: string, detail: readonly string[] = [], action = ''): Finding {
  return { id, status, title, detail, action };
}

export function summarise(findings: readonly Finding[]): Record<FindingStatus, number> {
  const summary: Record<FindingStatus, number> = { OK: 0, WARN: 0, FAIL: 0 };
  for (const f of findings) summary[f.status] += 1;
  return summary;
}

export function hasFailure(report: DoctorReport): boolean {
  return report.summary.FAIL > 0;
}

export function renderText(report: DoctorReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${f.status.padEnd(4)} ${f.title}`);
    for (const d of f.detail) lines.push(`     ${d}`);
    if (f.action !== '') lines.push(`     -> ${f.action}`);
  }
  const { OK, WARN, FAIL } = report.summary;
  lines.push('', `${OK} OK, ${WARN} WARN, ${FAIL} FAIL${FAIL > 0 ? ' (exit code 1)' : ''}`);
  return `${lines.join('\n')}\n`;
}

export function renderJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
