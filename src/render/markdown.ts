/**
 * Pull-request comment view, built to be read top-down in a minute at any plan size:
 * 1. the marker (CI finds and edits its own comment by it), target, counts and summary line;
 * 2. time-boxed grants expiring soon (a short list: renewals are one-line PRs);
 * 3. every risk, worst first, never cut (a denser form when the plain table would not fit);
 * 4. blocking errors, overridden guards and warnings, visible; notes collapsed;
 * 5. bulk changes counted together;
 * 6. per-section details, each within its own share of the budget.
 * GitHub refuses comments over 65,536 characters; anything cut says what and where the full plan is.
 */
import { categoryOf, type Diagnostic } from '../diagnostics.js';
import { formatCount, planId, type Change, type ChangeAction, type Plan } from '../plan/index.js';
import { bulkGroups } from './aggregate.js';
import { code, html, linkTarget, prose } from './md-escape.js';
import { riskBlock } from './markdown-risks.js';
import { riskItems } from './risk-items.js';
import type { OutputSink } from './chunks.js';
import {
  ACTION_ORDER,
  ACTION_STYLES,
  operationLabel,
  assignmentChanges,
  burstNote,
  expiringSoon,
  fieldLabel,
  isExpiringSoon,
  formatValue,
  groupChangeParts,
  plural,
  promotedFrom,
  promotedPersons,
  shortDigest,
  summaryColumns,
  summaryLine,
} from './shared.js';

export const MARKDOWN_MARKER = '<!-- vault-roster-plan -->';
export const DEFAULT_MAX_MARKDOWN_CHARS = 60_000;
/** Room kept for the closing notice. */
const NOTICE_RESERVE = 1_500;
/** Grants expiring soon get at most this much, right under the summary (the first screen). */
const EXPIRING_BUDGET = 4_000;
/** The warnings and errors get at most this much; the bulk view at most the next. */
const DIAGNOSTICS_BUDGET = 12_000;
const BULK_BUDGET = 15_000;
/** A single diagnostic's summary is cut beyond this many characters (its list may be long). */
const DIAGNOSTIC_SUMMARY_MAX = 800;

export interface MarkdownOptions {
  readonly max_markdown_chars?: number | undefined;
  /** The plan file saved with `--out`, named when something is cut and no URL is known. */
  readonly artifact_hint?: string | undefined;
  /** Link to the full plan (the CI artifact or run page), from `plan --plan-url`. */
  readonly plan_url?: string | undefined;
}

/** Where a reader finds what the comment cut. */
export function fullPlanRef(options: MarkdownOptions): string {
  if (options.plan_url !== undefined) return `[the full plan](${linkTarget(options.plan_url)})`;
  if (options.artifact_hint !== undefined) return `the plan file ${code(options.artifact_hint)} (saved with \`--out\`)`;
  return 'the full plan, which this run did not save (run `vault-roster plan --out plan.json` locally)';
}

function isNew(action: ChangeAction): boolean {
  return action === 'create' || action === 'promote' || action === 'sitevault_create' || action === 'group_create';
}

/** Members listed in one line per direction; a long list names the first ones and counts the rest. */
const MEMBERS_LISTED = 50;

function memberList(names: readonly string[]): string {
  const shown = names.slice(0, MEMBERS_LISTED).map(code).join(', ');
  return names.length > MEMBERS_LISTED ? `${shown}, and ${formatCount(names.length - MEMBERS_LISTED)} more` : shown;
}

/** A group change: its values as fields, then who joins and who leaves. */
function groupItems(change: Change): string[] {
  const parts = groupChangeParts(change);
  const lines = fieldItems({ ...change, fields: parts.values });
  if (parts.added.length > 0) lines.push(`  - members added (${formatCount(parts.added.length)}): ${memberList(parts.added)}`);
  if (parts.removed.length > 0) lines.push(`  - members removed (${formatCount(parts.removed.length)}): ${memberList(parts.removed)}`);
  return lines;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${formatCount(text.length - max)} more characters in the full plan)`;
}

function diagnosticItem(d: Diagnostic): string {
  const where = d.position ? ` (${code(`${d.position.file}:${d.position.line}:${d.position.col}`)})` : '';
  const about = d.subject?.user === undefined ? '' : ` — ${code(d.subject.user)}${d.subject.field === undefined ? '' : ` ${code(d.subject.field)}`}`;
  return `> - **${d.code}**${where}${about}: ${prose(clip(d.summary, DIAGNOSTIC_SUMMARY_MAX))}<br>_${prose(d.hint)}_`;
}

function head(plan: Plan): string {
  const t = plan.target;
  const columns = summaryColumns(plan.summary);
  return [
    MARKDOWN_MARKER,
    '## vault-roster plan',
    '',
    `**Target** ${code(t.url)} · vault ${code(String(t.vault_id))} · API ${code(t.api_version)} · desired state ${code(shortDigest(plan))}${plan.git_commit === undefined ? '' : ` · commit ${code(plan.git_commit)}`}`,
    '',
    // The id apply prints and its journal records: ties this comment to the run that applies it.
    `**Plan id** ${code(planId(plan))}`,
    '',
    `| ${columns.map(([label]) => label).join(' | ')} |`,
    `| ${columns.map(() => '---:').join(' | ')} |`,
    `| ${columns.map(([, n]) => formatCount(n)).join(' | ')} |`,
    '',
    `**${summaryLine(plan)}** ${burstNote(plan)}`,
    '',
  ].join('\n');
}

/** Lines of a block, cut to `budget` characters with a line saying how many were left out. */
function fitLines(lines: readonly string[], budget: number, more: (left: number) => string): { text: string; cut: number } {
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    const line = `${lines[i] ?? ''}\n`;
    if (text.length + line.length + 200 > budget) {
      return { text: `${text}${more(lines.length - i)}\n`, cut: lines.length - i };
    }
    text += line;
  }
  return { text, cut: 0 };
}

interface Cut {
  readonly what: string;
  readonly shown: number;
  readonly total: number;
}

function diagnosticsBlock(plan: Plan, budget: number, ref: string, cuts: Cut[]): string {
  const isAllowedGuard = (d: Diagnostic): boolean => d.severity === 'warning' && categoryOf(d.code) === 'guard';
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  const groups: [string, string, Diagnostic[]][] = [
    ['errors', `> [!CAUTION]\n> **${plural(errors.length, 'error blocks', 'errors block')} this plan** (\`plan\` exits 1, \`apply\` refuses):`, errors],
    ['overridden guards', '> [!WARNING]\n> **Guards overridden by `--allow-…` flags:**', plan.diagnostics.filter(isAllowedGuard)],
    ['warnings', '> [!WARNING]\n> **Warnings:**', plan.diagnostics.filter((d) => d.severity === 'warning' && !isAllowedGuard(d))],
  ];
  let out = '';
  for (const [what, title, list] of groups) {
    if (list.length === 0) continue;
    const share = Math.max(1_000, budget - out.length) - title.length;
    const fitted = fitLines(list.map(diagnosticItem), share, (left) => `> - …and ${formatCount(left)} more; they are in ${ref}.`);
    if (fitted.cut > 0) cuts.push({ what, shown: list.length - fitted.cut, total: list.length });
    out += `\n${title}\n${fitted.text}`;
  }
  const notes = plan.diagnostics.filter((d) => d.severity === 'info' && !isExpiringSoon(d));
  if (notes.length > 0) {
    const share = Math.max(500, budget - out.length);
    const items = notes.map((d) => `- ℹ️ **${d.code}**: ${prose(clip(d.summary, DIAGNOSTIC_SUMMARY_MAX))} _${prose(d.hint)}_`);
    const fitted = fitLines(items, share - 80, (left) => `- …and ${formatCount(left)} more notes in ${ref}.`);
    out += `\n<details><summary><strong>Notes</strong> (${notes.length})</summary>\n\n${fitted.text}\n</details>\n`;
  }
  return out;
}

/** Time-boxed grants ending soon, each with the line to edit, so a renewal is a one-line PR. */
function expiringBlock(plan: Plan, budget: number, ref: string, cuts: Cut[]): string {
  const list = expiringSoon(plan);
  if (list.length === 0) return '';
  const items = list.map((d) => {
    const where = d.position === undefined ? '' : ` — renew at ${code(`${d.position.file}:${d.position.line}`)}`;
    return `- ⏳ ${prose(clip(d.summary, DIAGNOSTIC_SUMMARY_MAX))}${where}`;
  });
  const fitted = fitLines(items, budget - 200, (left) => `- …and ${formatCount(left)} more in ${ref}.`);
  if (fitted.cut > 0) cuts.push({ what: 'grants expiring soon', shown: list.length - fitted.cut, total: list.length });
  return `\n**Expiring soon (${formatCount(list.length)})** — time-boxed access ending within \`policy.expiry_warning_days\`; to renew, move its \`valid_until\`:\n\n${fitted.text}`;
}

function bulkBlock(plan: Plan, budget: number, ref: string, cuts: Cut[]): string {
  if (plan.changes.length === 0) return '';
  const groups = bulkGroups(plan.changes);
  const rows = groups.map((g) => `| ${formatCount(g.count)} | ${g.description} | ${g.examples.map(code).join(', ')}${g.count > g.examples.length ? ', …' : ''} |`);
  const fitted = fitLines(rows, budget - 300, (left) => `\n…and ${plural(left, 'smaller group', 'smaller groups')}; they are in the sections below and in ${ref}.`);
  if (fitted.cut > 0) cuts.push({ what: 'bulk change groups', shown: groups.length - fitted.cut, total: groups.length });
  return [
    '',
    `### Bulk changes (${plural(groups.length, 'group', 'groups')})`,
    '',
    'Changes that do the same thing, counted together; a user with several changed fields counts in each of their rows.',
    '',
    '| Count | Change | e.g. |',
    '| ---: | --- | --- |',
    fitted.text,
  ].join('\n');
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

const RISK_TAG = { admin: 'admin', security_profile: 'security profile', security_policy: 'security policy', license: 'license', deactivation: 'deactivation', last_member: 'last member' } as const;

function changeItem(persons: ReadonlyMap<string, string>, change: Change): string {
  const person = promotedFrom(persons, change);
  const who = person === undefined ? code(change.key) : `person ${code(person)} → user ${code(change.key)}`;
  const risks = change.risks.length > 0 ? ` ⚠️ ${change.risks.map((r) => RISK_TAG[r]).join(', ')}` : '';
  const details = change.subject === 'sitevault_person' ? assignmentItems(change) : change.subject === 'group' ? groupItems(change) : fieldItems(change);
  // No +/~/- marker here: sections already group by action, and a leading '-' would nest the list.
  return [`- ${who} — ${prose(change.reason)}${risks}`, ...details].join('\n');
}

function callRow(op: Plan['operations'][number]): string {
  return `| ${op.id} | ${code(op.call)} | ${operationLabel(op)} | ${op.rows.length} | ${op.depends_on.join(', ')} |`;
}

interface Section {
  readonly title: string;
  readonly header: string;
  readonly noun: string;
  readonly count: number;
  /** Items are rendered on demand: a 100k-change plan shows only what fits. */
  readonly item: (i: number) => string;
}

function sections(plan: Plan): Section[] {
  const out: Section[] = [];
  const persons = promotedPersons(plan);
  for (const action of ACTION_ORDER) {
    const changes = plan.changes.filter((c) => c.action === action);
    if (changes.length === 0) continue;
    const noun = action.startsWith('sitevault') ? ['person', 'persons'] : action.startsWith('group') ? ['group', 'groups'] : ['user', 'users'];
    out.push({
      title: `${ACTION_STYLES[action].heading} (${formatCount(changes.length)} ${changes.length === 1 ? (noun[0] ?? '') : (noun[1] ?? '')})`,
      header: '',
      noun: noun[1] ?? '',
      count: changes.length,
      item: (i) => changeItem(persons, changes[i] as Change),
    });
  }
  if (plan.operations.length > 0) {
    out.push({
      title: `API calls (${formatCount(plan.operations.length)})`,
      header: '| Id | Call | Kind | Rows | After |\n| --- | --- | --- | ---: | --- |\n',
      noun: 'calls',
      count: plan.operations.length,
      item: (i) => callRow(plan.operations[i] as Plan['operations'][number]),
    });
  }
  return out;
}

/** One collapsible section within `budget` characters; says inside it what it cut. */
function sectionBlock(s: Section, budget: number, ref: string, cuts: Cut[]): string {
  const open = `\n<details><summary><strong>${html(s.title)}</strong></summary>\n\n${s.header}`;
  const close = '\n</details>\n';
  const noteRoom = 240 + ref.length;
  let body = '';
  let shown = 0;
  for (; shown < s.count; shown++) {
    const item = `${s.item(shown)}\n`;
    if (open.length + body.length + item.length + close.length + noteRoom > budget) break;
    body += item;
  }
  if (shown < s.count) {
    cuts.push({ what: s.title.replace(/ \(.*\)$/, ''), shown, total: s.count });
    body += `\n> ✂️ **${formatCount(s.count - shown)} of ${formatCount(s.count)} ${s.noun} cut here** to keep the comment under GitHub's size limit. All of them are in ${ref}.\n`;
  }
  return open + body + close;
}

/** Characters a section needs to show whole, counted no further than `cap`. */
function sectionNeed(s: Section, cap: number, ref: string): number {
  // The frame with its cut note, plus the room sectionBlock keeps for that note: never too little.
  let need = sectionBlock(s, 0, ref, []).length + 240 + ref.length;
  for (let i = 0; i < s.count && need <= cap; i++) need += s.item(i).length + 1;
  return need;
}

/**
 * Each section's budget: an equal share of what is left, where a section that needs less than
 * its share gives the rest to the sections that need more (smallest needs are settled first).
 */
function sectionShares(all: readonly Section[], total: number, ref: string): number[] {
  const needs = all.map((s) => sectionNeed(s, total, ref));
  const order = needs.map((need, i) => ({ need, i })).sort((a, b) => a.need - b.need);
  const shares: number[] = all.map(() => 0);
  let left = Math.max(0, total);
  order.forEach(({ need, i }, k) => {
    const share = Math.min(need, Math.floor(left / (order.length - k)));
    shares[i] = share;
    left -= share;
  });
  return shares;
}

function closingNotice(cuts: readonly Cut[], ref: string): string {
  if (cuts.length === 0) return '';
  const list = cuts.map((c) => `${c.what}: ${formatCount(c.total - c.shown)} of ${formatCount(c.total)} not shown`).join('; ');
  return `\n> [!NOTE]\n> **Cut to stay under GitHub's comment size limit** — ${list}. The risks at the top are complete unless they say otherwise. Everything is in ${ref}.\n`;
}

/** Renders the PR comment within `max_markdown_chars` (default 60,000), risks first and whole. */
export function renderMarkdown(plan: Plan, options: MarkdownOptions): string {
  const budget = options.max_markdown_chars ?? DEFAULT_MAX_MARKDOWN_CHARS;
  const ref = fullPlanRef(options);
  const cuts: Cut[] = [];
  let out = head(plan);
  out += expiringBlock(plan, Math.min(EXPIRING_BUDGET, budget - out.length - NOTICE_RESERVE - 2_000), ref, cuts);
  const risks = riskBlock(riskItems(plan.changes), budget - out.length - NOTICE_RESERVE - 2_000, ref);
  if (risks.cut > 0) cuts.push({ what: 'risky changes', shown: risks.total - risks.cut, total: risks.total });
  out += risks.text;
  out += diagnosticsBlock(plan, Math.min(DIAGNOSTICS_BUDGET, budget - out.length - NOTICE_RESERVE), ref, cuts);
  out += bulkBlock(plan, Math.min(BULK_BUDGET, budget - out.length - NOTICE_RESERVE), ref, cuts);
  const all = sections(plan);
  const shares = sectionShares(all, budget - out.length - NOTICE_RESERVE, ref);
  all.forEach((s, i) => {
    out += sectionBlock(s, shares[i] ?? 0, ref, cuts);
  });
  return out + closingNotice(cuts, ref);
}

/** The comment to `sink`: it is bounded by its budget, so one string is the whole of it. */
export function writeMarkdown(plan: Plan, options: MarkdownOptions, sink: OutputSink): void {
  sink(renderMarkdown(plan, options));
}
