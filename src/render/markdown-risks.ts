/**
 * The risk block at the top of the PR comment. Three forms, the first that fits its budget:
 * a table (one row per risk with before → after), one line per risk, or one line per kind of
 * risk and place listing every user. Only when even that cannot fit (thousands of risky users,
 * which the mass guards refuse anyway) is it cut, and then it says how many users it left out.
 */
import { formatCount } from '../plan/index.js';
import { code, prose } from './md-escape.js';
import { RISK_KINDS, type RiskItem, type RiskKind } from './risk-items.js';

export interface RiskBlock {
  readonly text: string;
  /** Risk items total, and how many were not listed. */
  readonly total: number;
  readonly cut: number;
}

function kindCounts(items: readonly RiskItem[]): string {
  const counts = new Map<RiskKind, number>();
  for (const item of items) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
  return [...counts.entries()].map(([kind, n]) => `${RISK_KINDS[kind].icon} ${formatCount(n)} ${RISK_KINDS[kind].label}`).join(' · ');
}

function heading(items: readonly RiskItem[], form: string): string[] {
  const users = new Set(items.map((i) => i.user)).size;
  return ['', `### ⚠️ Risky changes: ${formatCount(items.length)} (${formatCount(users)} ${users === 1 ? 'user' : 'users'}), worst first${form}`, '', kindCounts(items), ''];
}

function change(item: RiskItem): string {
  return `${code(item.before)} → ${code(item.after)}`;
}

function tableForm(items: readonly RiskItem[]): string {
  const rows = items.map((i) => `| ${RISK_KINDS[i.kind].icon} ${RISK_KINDS[i.kind].label} | ${code(i.user)} | ${prose(i.where)} | ${change(i)} |`);
  return heading(items, '').concat(['| Risk | User | Where | Before → after |', '| --- | --- | --- | --- |'], rows, ['']).join('\n');
}

function lineForm(items: readonly RiskItem[]): string {
  const lines = items.map((i) => `- ${RISK_KINDS[i.kind].icon} ${code(i.user)} ${RISK_KINDS[i.kind].label}, ${prose(i.where)}: ${change(i)}`);
  return heading(items, ' (one line each)').concat(lines, ['']).join('\n');
}

interface RiskGroup {
  readonly title: string;
  readonly users: string[];
}

/** Items of one kind, place and change share a line; items come sorted, so groups keep severity order. */
function groupsOf(items: readonly RiskItem[]): RiskGroup[] {
  const groups = new Map<string, RiskGroup>();
  for (const i of items) {
    const title = `${RISK_KINDS[i.kind].icon} **${RISK_KINDS[i.kind].label}**, ${prose(i.where)}, ${change(i)}`;
    const group = groups.get(title) ?? { title, users: [] };
    group.users.push(i.user);
    groups.set(title, group);
  }
  return [...groups.values()];
}

/** The densest form; cut only when `budget` cannot hold every user, saying how many are left out. */
function groupedForm(items: readonly RiskItem[], budget: number, ref: string): RiskBlock {
  let text = heading(items, ' (grouped: every user listed)').join('\n');
  let cut = 0;
  for (const group of groupsOf(items)) {
    let line = `- ${group.title} (${formatCount(group.users.length)}): `;
    group.users.forEach((user, n) => {
      const piece = `${n === 0 ? '' : ', '}${code(user)}`;
      if (cut > 0 || text.length + line.length + piece.length + 400 > budget) cut++;
      else line += piece;
    });
    text += `${line}\n`;
  }
  if (cut > 0) {
    text += `\n> [!CAUTION]\n> **${formatCount(cut)} of ${formatCount(items.length)} risky changes are not listed here**: too many to fit in one comment. Review them in ${ref}.\n`;
  }
  return { text, total: items.length, cut };
}

/** The risk block within `budget` characters (empty when the plan has no risky change). */
export function riskBlock(items: readonly RiskItem[], budget: number, ref: string): RiskBlock {
  if (items.length === 0) return { text: '', total: 0, cut: 0 };
  for (const form of [tableForm, lineForm]) {
    const text = form(items);
    if (text.length <= budget) return { text, total: items.length, cut: 0 };
  }
  return groupedForm(items, budget, ref);
}
