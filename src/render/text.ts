/** Terminal view: terraform-like markers per user, field before → after, calls, summary line. */
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import { planId, type Change, type ChangeSubject, type Plan } from '../plan/index.js';
import { seatLines } from './seats.js';
import { ChunkWriter, collectOutput, type OutputSink } from './chunks.js';
import {
  ACTION_STYLES,
  operationLabel,
  burstNote,
  expiringSoon,
  fieldLabel,
  isExpiringSoon,
  formatValue,
  groupChangeParts,
  promotedFrom,
  promotedPersons,
  rowsLabel,
  shortDigest,
  summaryLine,
  type GroupChangeParts,
} from './shared.js';

type Paint = (code: string, text: string) => string;

const COLOR_OF = { '+': '32', '~': '33', '-': '31', '^': '36' } as const;

function painter(color: boolean): Paint {
  return color ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;
}

function isNew(change: Change): boolean {
  return change.action === 'create' || change.action === 'promote' || change.action === 'sitevault_create' || change.action === 'group_create';
}

/** A group's members, one per line under its values: who joins (+) and who leaves (-). */
function writeMembers(out: ChunkWriter, parts: GroupChangeParts, paint: Paint): void {
  for (const name of parts.added) out.line(`      ${paint(COLOR_OF['+'], '+')} member ${name}`);
  for (const name of parts.removed) out.line(`      ${paint(COLOR_OF['-'], '-')} member ${name}`);
}

function writeChange(out: ChunkWriter, person: string | undefined, change: Change, paint: Paint): void {
  const style = ACTION_STYLES[change.action];
  const verb = person === undefined ? style.label : `${style.label} from Clinical person ${person}`;
  const risks = change.risks.length > 0 ? `  ${paint('1;31', `[${change.risks.join(', ')}]`)}` : '';
  out.line(`  ${paint(COLOR_OF[style.symbol], style.symbol)} ${paint('1', change.key)}  ${verb}${risks}`);
  out.line(`      ${paint('2', change.reason)}`);
  const group = change.subject === 'group' ? groupChangeParts(change) : undefined;
  const fields = group?.values ?? change.fields;
  // A loop, not Math.max(...labels): a change can carry any number of fields.
  let width = 0;
  for (const f of fields) width = Math.max(width, fieldLabel(f.path).length);
  for (const f of fields) {
    const label = fieldLabel(f.path).padEnd(width);
    const value = isNew(change) ? formatValue(f.after) : `${formatValue(f.before)} → ${formatValue(f.after)}`;
    out.line(`      ${label}  ${value}`);
  }
  if (group !== undefined) writeMembers(out, group, paint);
}

function writeDiagnostic(out: ChunkWriter, d: Diagnostic, paint: Paint): void {
  const codeColor = { error: '31', warning: '33', info: '36' } as const;
  formatDiagnostic(d)
    .split('\n')
    .forEach((line, i) => {
      out.line(i === 0 ? `  ${line.replace(`${d.severity} [`, `${paint(codeColor[d.severity], d.severity)} [`)}` : `  ${line}`);
    });
}

/** A titled section, written only when it has something in it (every item writes at least one line). */
function writeSection<T>(out: ChunkWriter, title: string, items: readonly T[], keep: (item: T) => boolean, write: (item: T) => void): void {
  let opened = false;
  for (const item of items) {
    if (!keep(item)) continue;
    if (!opened) {
      out.line('');
      out.line(`${title}:`);
      opened = true;
    }
    write(item);
  }
}

/** Writes the terminal view to `sink` in chunks, line by line: no size limit but the sink's. */
export function writeText(plan: Plan, options: { readonly color: boolean }, sink: OutputSink): void {
  const paint = painter(options.color);
  const out = new ChunkWriter(sink);
  const t = plan.target;
  out.line(`vault-roster plan for ${t.url} (vault ${t.vault_id}, API ${t.api_version})`);
  out.line(paint('2', `made ${plan.created_at} by vault-roster ${plan.tool_version} from desired state ${shortDigest(plan)}${plan.git_commit === undefined ? '' : ` at commit ${plan.git_commit}${plan.git_dirty === true ? ' with uncommitted changes' : ''}`}`));
  // The id apply prints and its journal records: ties this plan to the run that applies it.
  out.line(paint('2', `plan id ${planId(plan)}`));
  const all = (): boolean => true;
  // Listed apart so a renewal is easy to spot: each names the line whose valid_until to move.
  writeSection(out, 'Expiring soon', expiringSoon(plan), all, (d) => {
    writeDiagnostic(out, d, paint);
  });
  writeSection(out, 'Diagnostics', plan.diagnostics, (d) => !isExpiringSoon(d), (d) => {
    writeDiagnostic(out, d, paint);
  });
  const persons = promotedPersons(plan);
  const changesOf = (subject: ChangeSubject) => (c: Change): boolean => c.subject === subject;
  const change = (c: Change): void => {
    writeChange(out, promotedFrom(persons, c), c, paint);
  };
  writeSection(out, 'Users', plan.changes, changesOf('user'), change);
  writeSection(out, 'SiteVault persons', plan.changes, changesOf('sitevault_person'), change);
  writeSection(out, 'Groups', plan.changes, changesOf('group'), change);
  writeSection(out, 'Licence seats', seatLines(plan), all, (line) => {
    out.line(line);
  });
  writeSection(out, `API calls (${plan.operations.length})`, plan.operations, all, (op) => {
    const after = op.depends_on.length > 0 ? `  after ${op.depends_on.join(', ')}` : '';
    out.line(`  ${op.id}  ${op.call}  ${operationLabel(op)}, ${rowsLabel(op.rows.length)}${after}`);
  });
  out.line('');
  out.line(paint('1', summaryLine(plan)));
  out.line(burstNote(plan));
  out.flush();
}

export function renderText(plan: Plan, options: { readonly color: boolean }): string {
  return collectOutput('text plan', (sink) => {
    writeText(plan, options, sink);
  });
}
