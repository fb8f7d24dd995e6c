/**
 * Pull-request comment view. The hidden marker on the first line lets CI find and edit its own
 * comment; the summary table and guard results come first; every section after that is cut to
 * a character budget (GitHub refuses comments over 65,536 characters) with a visible notice.
 */
import { categoryOf, type Diagnostic } from '../diagnostics.js';
import type { Change, ChangeAction, Plan } from '../plan/index.js';
import { ACTION_ORDER, ACTION_STYLES, OPERATION_LABELS, assignmentChanges, burstNote, fieldLabel, formatValue, plural, promotedFrom, shortDigest, summaryColumns, summaryLine } from './shared.js';

export const MARKDOWN_MARKER = '<!-- vault-roster-plan -->';
export const DEFAULT_MAX_MARKDOWN_CHARS = 60_000;
/** Risky changes listed by name before "and N more". */
const RISKY_LIST_LIMIT = 50;

export interface MarkdownOptions {
  readonly max_markdown_chars?: number | undefined;
  readonly artifact_hint?: string | undefined;
}

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence === '``' ? ` ${text} ` : text}${fence}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const RISK_LABEL = { admin: 'admin', security_profile: 'security profile', security_policy: 'security policy', license: 'license', deactivation: 'deactivation' } as const;

function isNew(action: ChangeAction): boolean {
  return action === 'create' || action === 'promote' || action === 'sitevault_create';
}

function diagnosticItem(d: Diagnostic): string {
  const where = d.position ? ` (${code(`${d.position.file}:${d.position.line}:${d.position.col}`)})` : '';
  const about = d.subject?.user === undefined ? '' : ` — ${code(d.subject.user)}${d.subject.field === undefined ? '' : ` ${code(d.subject.field)}`}`;
  return `> - **${d.code}**${where}${about}: ${d.summary}<br>_${d.hint}_`;
}

function head(plan: Plan): string[] {
  const t = plan.target;
  const columns = summaryColumns(plan.summary);
  const lines = [
    MARKDOWN_MARKER,
    '## vault-roster plan',
    '',
    `**Target** ${code(t.url)} · vault ${code(String(t.vault_id))} · API ${code(t.api_version)} · desired state ${code(shortDigest(plan))}${plan.git_commit === undefined ? '' : ` · commit ${code(plan.git_commit)}`}`,
    '',
    `| ${columns.map(([label]) => label).join(' | ')} |`,
    `| ${columns.map(() => '---:').join(' | ')} |`,
    `| ${columns.map(([, n]) => String(n)).join(' | ')} |`,
    '',
    `**${summaryLine(plan)}** ${burstNote(plan)}`,
  ];
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  const allowed = plan.diagnostics.filter((d) => d.severity === 'warning' && categoryOf(d.code) === 'guard');
  if (errors.length > 0) {
    lines.push('', '> [!CAUTION]', `> **${plural(errors.length, 'error blocks', 'errors block')} this plan** (\`plan\` exits 1, \`apply\` refuses):`, ...errors.map(diagnosticItem));
  }
  if (allowed.length > 0) {
    lines.push('', '> [!WARNING]', '> **Guards overridden by `--allow-…` flags:**', ...allowed.map(diagnosticItem));
  }
  const risky = plan.changes.filter((c) => c.risks.length > 0);
  if (risky.length > 0) {
    lines.push('', `### Risky changes (${risky.length})`, '', '| Who | Action | Risks |', '| --- | --- | --- |');
    for (const c of risky.slice(0, RISKY_LIST_LIMIT)) {
      lines.push(`| ${cell(code(c.key))} | ${ACTION_STYLES[c.action].label} | ${c.risks.map((r) => `**${RISK_LABEL[r]}**`).join(', ')} |`);
    }
    if (risky.length > RISKY_LIST_LIMIT) lines.push('', `…and ${risky.length - RISKY_LIST_LIMIT} more; see the sections below.`);
  }
  const notes = plan.diagnostics.filter((d) => d.severity !== 'error' && !(d.severity === 'warning' && categoryOf(d.code) === 'guard'));
  if (notes.length > 0) {
    lines.push('', `<details><summary><strong>Notes</strong> (${notes.length})</summary>`, '');
    for (const d of notes) lines.push(`- ${d.severity === 'warning' ? '⚠️' : 'ℹ️'} **${d.code}**: ${d.summary} _${d.hint}_`);
    lines.push('', '</details>');
  }
  return lines;
}

function fieldItems(change: Change): string[] {
  return change.fields.map((f) => {
    const value = isNew(change.action) ? code(formatValue(f.after)) : `${code(formatValue(f.before))} → ${code(formatValue(f.after))}`;
    return `  - ${code(fieldLabel(f.path))}: ${value}`;
  });
}

const PART_LABEL: Readonly<Record<string, string>> = { role: 'role', addons: 'add-ons', org_id: 'org', '': '' };

/** SiteVault: one line per assignment, e.g. `site US-NC-0001`: role `regulatory__v`, add-ons `site_budgets__v`. */
function assignmentItems(change: Change): string[] {
  return assignmentChanges(change).map((group) => {
    const parts = group.parts.map((p) => {
      const value = isNew(change.action) ? code(formatValue(p.after)) : `${code(formatValue(p.before))} → ${code(formatValue(p.after))}`;
      const name = PART_LABEL[p.name] ?? p.name;
      return name === '' ? value : `${name} ${value}`;
    });
    return `  - ${code(group.label)}: ${parts.join(', ')}`;
  });
}

function changeItem(plan: Plan, change: Change): string {
  const person = promotedFrom(plan, change);
  const who = person === undefined ? code(change.key) : `person ${code(person)} → user ${code(change.key)}`;
  const risks = change.risks.length > 0 ? ` ⚠️ ${change.risks.map((r) => RISK_LABEL[r]).join(', ')}` : '';
  const details = change.subject === 'sitevault_person' ? assignmentItems(change) : fieldItems(change);
  // No +/~/- marker here: sections already group by action, and a leading '-' would nest the list.
  return [`- ${who} — ${change.reason}${risks}`, ...details].join('\n');
}

function callRow(op: Plan['operations'][number]): string {
  return `| ${op.id} | ${cell(code(op.call))} | ${OPERATION_LABELS[op.kind]} | ${op.rows.length} | ${op.depends_on.join(', ')} |`;
}

interface Section {
  readonly title: string;
  readonly header: string;
  readonly items: string[];
}

function sections(plan: Plan): Section[] {
  const out: Section[] = [];
  for (const action of ACTION_ORDER) {
    const changes = plan.changes.filter((c) => c.action === action);
    if (changes.length === 0) continue;
    const noun = action.startsWith('sitevault') ? ['person', 'persons'] : ['user', 'users'];
    out.push({
      title: `${ACTION_STYLES[action].heading} (${plural(changes.length, noun[0] ?? '', noun[1] ?? '')})`,
      header: '',
      items: changes.map((c) => changeItem(plan, c)),
    });
  }
  if (plan.operations.length > 0) {
    out.push({
      title: `API calls (${plan.operations.length})`,
      header: '| Id | Call | Kind | Rows | After |\n| --- | --- | --- | ---: | --- |',
      items: plan.operations.map(callRow),
    });
  }
  return out;
}

/** Renders the PR comment within `max_markdown_chars`, cutting whole items and saying so. */
export function renderMarkdown(plan: Plan, options: MarkdownOptions): string {
  const budget = options.max_markdown_chars ?? DEFAULT_MAX_MARKDOWN_CHARS;
  const artifact = options.artifact_hint ?? 'the plan artifact (vault-roster plan --out plan.json)';
  const notice = (shown: number, total: number): string =>
    `\n> [!NOTE]\n> **Output truncated** to stay under GitHub's comment size limit: ${shown} of ${total} items shown. The full plan is in ${code(artifact)}.\n`;
  // Room kept free for the notice and the closing tags of the section being cut.
  const reserve = notice(999_999, 999_999).length + artifact.length + 64;
  let out = head(plan).join('\n') + '\n';
  const all = sections(plan);
  const total = all.reduce((n, s) => n + s.items.length, 0);
  let shown = 0;
  let cut = false;
  for (const s of all) {
    if (cut) break;
    const open = `\n<details><summary><strong>${html(s.title)}</strong></summary>\n\n${s.header === '' ? '' : `${s.header}\n`}`;
    const close = '\n</details>\n';
    if (out.length + open.length + close.length + reserve > budget) {
      cut = true;
      break;
    }
    let body = '';
    for (const item of s.items) {
      if (out.length + open.length + body.length + item.length + 1 + close.length + reserve > budget) {
        cut = true;
        break;
      }
      body += `${item}\n`;
      shown++;
    }
    out += open + body + close;
  }
  if (cut) out += notice(shown, total);
  return out;
}
