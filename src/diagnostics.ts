/**
 * Diagnostics: every problem a user can fix, from YAML syntax to a plan guard.
 *
 * A diagnostic has a stable code (scripts may match on it), a one-line summary, a hint on how
 * to fix it, and either a source position (`file:line:col`) or a subject (user and field).
 * Stages collect diagnostics and report them all at once; nothing here prints or exits.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface SourcePosition {
  /** Path as the user gave it or relative to the working directory. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

/** What a diagnostic is about when it has no source position (or in addition to one). */
export interface DiagnosticSubject {
  /** User name or SiteVault email. */
  readonly user?: string;
  readonly field?: string;
  readonly vault_id?: number;
}

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable, kebab-case, e.g. `yaml-syntax`, `duplicate-user`, `guard-mass-deactivation`. */
  readonly code: string;
  /** One line saying what is wrong. */
  readonly summary: string;
  /** One line saying how to fix it. */
  readonly hint: string;
  readonly position?: SourcePosition;
  readonly subject?: DiagnosticSubject;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, line, column, then code, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.position?.file ?? '';
    const fb = b.position?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const byLine = (a.position?.line ?? 0) - (b.position?.line ?? 0);
    if (byLine !== 0) return byLine;
    const byCol = (a.position?.col ?? 0) - (b.position?.col ?? 0);
    if (byCol !== 0) return byCol;
    if (a.code !== b.code) return a.code < b.code ? -1 : 1;
    return a.summary < b.summary ? -1 : a.summary > b.summary ? 1 : 0;
  });
}

function formatSubject(subject: DiagnosticSubject): string {
  const parts: string[] = [];
  if (subject.user !== undefined) parts.push(`user ${subject.user}`);
  if (subject.vault_id !== undefined) parts.push(`vault ${subject.vault_id}`);
  if (subject.field !== undefined) parts.push(`field ${subject.field}`);
  return parts.join(', ');
}

/**
 * Text form, one diagnostic per two lines:
 * `users/rim.yaml:12:7: error [unknown-key] summary` then `  hint: …`.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.position ? `${d.position.file}:${d.position.line}:${d.position.col}: ` : '';
  const about = d.subject ? ` (${formatSubject(d.subject)})` : '';
  return `${where}${d.severity} [${d.code}] ${d.summary}${about}\n  hint: ${d.hint}`;
}

export function formatDiagnosticsText(diagnostics: readonly Diagnostic[]): string {
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.filter((d) => d.severity === 'warning').length;
  const lines = sorted.map(formatDiagnostic);
  lines.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return lines.join('\n') + '\n';
}

/** JSON form: `{ "valid": bool, "errors": n, "warnings": n, "diagnostics": [...] }`. */
export function formatDiagnosticsJson(diagnostics: readonly Diagnostic[]): string {
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.filter((d) => d.severity === 'warning').length;
  return JSON.stringify({ valid: errors === 0, errors, warnings, diagnostics: sorted }, null, 2) + '\n';
}
