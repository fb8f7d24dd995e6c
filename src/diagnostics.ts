/**
 * Diagnostics: every problem a user can fix, from YAML syntax to a plan guard.
 *
 * A diagnostic has a stable code (scripts may match on it), a one-line summary, a hint on how
 * to fix it, and either a source position (`file:line:col`) or a subject (user and field).
 * Stages collect diagnostics and report them all at once; nothing here prints or exits.
 */

export type Severity = 'error' | 'warning' | 'info';

/**
 * What kind of problem a code is, as data (never read off the code's spelling):
 * - `file`: a desired-state file cannot be read as YAML of the right kind;
 * - `schema`: a value or key the JSON Schema refuses;
 * - `rule`: a semantic rule of the desired state;
 * - `reference`: the desired state names something Vault does not have;
 * - `guard`: a dangerous plan, blocked unless an `--allow-…` flag allows it;
 * - `hold-back`: a declared entry the plan cannot reach (so Vault will not match the YAML);
 * - `note`: information about the plan or what it could see.
 */
export type DiagnosticCategory = 'file' | 'schema' | 'rule' | 'reference' | 'guard' | 'hold-back' | 'note';

/** Every diagnostic code, with its category. A code not listed here does not type-check. */
export const DIAGNOSTIC_CODES = {
  'file-not-found': 'file',
  'not-a-file': 'file',
  'file-unreadable': 'file',
  'file-too-large': 'file',
  'invalid-utf8': 'file',
  'empty-file': 'file',
  'yaml-syntax': 'file',
  'yaml-warning': 'file',
  'yaml-tab-indent': 'file',
  'yaml-duplicate-key': 'file',
  'yaml-multiple-documents': 'file',
  'yaml-unknown-tag': 'file',
  'yaml-undefined-alias': 'file',
  'yaml-alias-limit': 'file',
  'top-level-not-mapping': 'file',
  'unknown-file-kind': 'file',
  'mixed-file-kind': 'file',
  'include-no-match': 'file',
  'include-outside-repo': 'file',
  'include-dangling-symlink': 'file',
  'include-symlink-loop': 'file',
  'unknown-key': 'schema',
  'missing-key': 'schema',
  'wrong-type': 'schema',
  'invalid-value': 'schema',
  'invalid-key': 'schema',
  'duplicate-item': 'schema',
  'insecure-url': 'rule',
  'value-too-long': 'rule',
  'control-character': 'rule',
  'invalid-character': 'rule',
  'number-out-of-range': 'rule',
  'duplicate-user': 'rule',
  'user-name-case-conflict': 'rule',
  'duplicate-membership': 'rule',
  'app-license-exceeds-membership': 'rule',
  'app-license-exceeds-user-license': 'rule',
  'promotion-needs-api-version': 'rule',
  'duplicate-promotion': 'rule',
  'promote-fields-without-promotion': 'rule',
  'promote-field-reserved': 'rule',
  'field-has-dedicated-key': 'rule',
  'field-read-only': 'rule',
  'duplicate-sitevault-person': 'rule',
  'sitevault-external-investigator': 'rule',
  'sitevault-addon-not-allowed': 'rule',
  'sitevault-addon-wrong-level': 'rule',
  'sitevault-study-role-mismatch': 'rule',
  'sitevault-no-login-role-mismatch': 'rule',
  'sitevault-username-required': 'rule',
  'sitevault-duplicate-site': 'rule',
  'sitevault-duplicate-study': 'rule',
  'create-missing-field': 'rule',
  'group-label-duplicate': 'rule',
  'group-undeclared': 'rule',
  'group-member-duplicate': 'rule',
  'group-member-declared-twice': 'rule',
  'unknown-vault': 'reference',
  'unknown-security-policy': 'reference',
  'target-mismatch': 'reference',
  'promote-reference-id-missing': 'reference',
  'unknown-security-profile': 'reference',
  'unknown-app': 'reference',
  'membership-outside-scope': 'reference',
  'email-of-other-user': 'reference',
  'duplicate-email': 'rule',
  'guard-mass-deactivation': 'guard',
  'guard-mass-removal': 'guard',
  'guard-last-domain-admin': 'guard',
  'guard-protected-user': 'guard',
  'guard-license-seats': 'guard',
  'guard-mass-admin-grants': 'guard',
  'guard-mass-group-member-removal': 'guard',
  'group-not-user-managed': 'reference',
  'group-member-unknown': 'reference',
  'group-name-unknown': 'reference',
  'group-name-duplicate': 'reference',
  'groups-not-read': 'reference',
  'group-member-inactive': 'note',
  'group-member-no-vault-access': 'note',
  'group-member-held-back': 'hold-back',
  'group-member-not-listed': 'note',
  'unmanaged-groups': 'note',
  'promote-person-not-found': 'hold-back',
  'promote-person-has-user': 'hold-back',
  'sitevault-not-editable': 'hold-back',
  'sitevault-study-not-removable': 'hold-back',
  'inactive-user-not-created': 'note',
  'unmanaged-users': 'note',
  'unmanaged-user-spared': 'note',
  'sitevault-state-only': 'note',
  'drift-baseline': 'note',
  'drift-new-users': 'note',
  'security-profile-unverified': 'note',
  'app-unverified': 'note',
  'license-seats-unverified': 'note',
  'unmanaged-scope-deactivation': 'note',
  'grant-invalid-date': 'rule',
  'grant-ends-before-start': 'rule',
  'grant-reason-without-dates': 'rule',
  'grant-expired': 'note',
  'grant-not-yet-valid': 'note',
  'grant-expiring-soon': 'note',
  'grant-clock-invalid': 'reference',
  'grant-required': 'rule',
  'grant-too-long': 'rule',
  'grant-not-allowed': 'schema',
  'grant-declared-twice': 'rule',
  'review-invalid-date': 'rule',
  'review-owners-no-match': 'rule',
} as const satisfies Record<string, DiagnosticCategory>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export function categoryOf(code: DiagnosticCode): DiagnosticCategory {
  return DIAGNOSTIC_CODES[code];
}

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
  readonly code: DiagnosticCode;
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
