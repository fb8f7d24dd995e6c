/** Terminal view: terraform-like markers per user, field before → after, calls, summary line. */
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import type { Change, Plan } from '../plan/index.js';
import { seatLines } from './seats.js';
import { ACTION_STYLES, OPERATION_LABELS, burstNote, fieldLabel, formatValue, promotedFrom, rowsLabel, shortDigest, summaryLine } from './shared.js';

type Paint = (code: string, text: string) => string;

const COLOR_OF = { '+': '32', '~': '33', '-': '31', '^': '36' } as const;

function painter(color: boolean): Paint {
  return color ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;
}

function isNew(change: Change): boolean {
  return change.action === 'create' || change.action === 'promote' || change.action === 'sitevault_create';
}

function changeLines(plan: Plan, change: Change, paint: Paint): string[] {
  const style = ACTION_STYLES[change.action];
  const person = promotedFrom(plan, change);
  const verb = person === undefined ? style.label : `${style.label} from Clinical person ${person}`;
  const risks = change.risks.length > 0 ? `  ${paint('1;31', `[${change.risks.join(', ')}]`)}` : '';
  const lines = [`  ${paint(COLOR_OF[style.symbol], style.symbol)} ${paint('1', change.key)}  ${verb}${risks}`, `      ${paint('2', change.reason)}`];
  const width = Math.max(0, ...change.fields.map((f) => fieldLabel(f.path).length));
  for (const f of change.fields) {
    const label = fieldLabel(f.path).padEnd(width);
    const value = isNew(change) ? formatValue(f.after) : `${formatValue(f.before)} → ${formatValue(f.after)}`;
    lines.push(`      ${label}  ${value}`);
  }
  return lines;
}

function section(title: string, body: string[]): string[] {
  return body.length === 0 ? [] : ['', `${title}:`, ...body];
}

function diagnosticLines(diagnostics: readonly Diagnostic[], paint: Paint): string[] {
  const codeColor = { error: '31', warning: '33', info: '36' } as const;
  return diagnostics.flatMap((d) =>
    formatDiagnostic(d)
      .split('\n')
      .map((line, i) => (i === 0 ? `  ${line.replace(`${d.severity} [`, `${paint(codeColor[d.severity], d.severity)} [`)}` : `  ${line}`)),
  );
}

export function renderText(plan: Plan, options: { readonly color: boolean }): string {
  const paint = painter(options.color);
  const t = plan.target;
  const lines = [
    `vault-roster plan for ${t.url} (vault ${t.vault_id}, API ${t.api_version})`,
    paint('2', `made ${plan.created_at} by vault-roster ${plan.tool_version} from desired state ${shortDigest(plan)}${plan.git_commit === undefined ? '' : ` at commit ${plan.git_commit}`}`),
  ];
  lines.push(...section('Diagnostics', diagnosticLines(plan.diagnostics, paint)));
  const users = plan.changes.filter((c) => c.subject === 'user');
  const persons = plan.changes.filter((c) => c.subject === 'sitevault_person');
  lines.push(...section('Users', users.flatMap((c) => changeLines(plan, c, paint))));
  lines.push(...section('SiteVault persons', persons.flatMap((c) => changeLines(plan, c, paint))));
  const calls = plan.operations.map((op) => {
    const after = op.depends_on.length > 0 ? `  after ${op.depends_on.join(', ')}` : '';
    return `  ${op.id}  ${op.call}  ${OPERATION_LABELS[op.kind]}, ${rowsLabel(op.rows.length)}${after}`;
  });
  lines.push(...section('Licence seats', seatLines(plan)));
  lines.push(...section(`API calls (${plan.operations.length})`, calls));
  lines.push('', paint('1', summaryLine(plan)), burstNote(plan));
  return lines.join('\n') + '\n';
}
