/**
 * Bulk changes in a few rows: changes that do the same thing are counted together, so
 * "2,000 × create in vault 3003 as document_user__v full__v, app rimReg_v full__v" and
 * "300 × vault 3003 › security_profile document_user__v → read_only_user__v" read in a minute.
 * A user with several changed fields counts once in each of their rows.
 */
import { parseFieldPath, type Change, type FieldChange, type JsonValue } from '../plan/index.js';
import { code } from './md-escape.js';
import { ACTION_STYLES, fieldLabel, formatValue, groupChangeParts } from './shared.js';

export interface BulkGroup {
  /** How the change reads, without the count: Markdown, every value in a safe code span. */
  readonly description: string;
  readonly count: number;
  /** The first users (in plan order) that make the group, for a reviewer to spot-check. */
  readonly examples: readonly string[];
}

const EXAMPLES = 2;
/** A field whose before → after pairs are this varied is shown as one "various values" row. */
const MAX_DISTINCT_PAIRS = 5;

function isNew(change: Change): boolean {
  return change.action === 'create' || change.action === 'promote' || change.action === 'sitevault_create';
}

/** Paths that make a new record's shape (its other fields are its own: names, emails). */
const SHAPE_PATH = /^(memberships\[|org\.|sites\[|studies\[|domain_admin$)/;

/** `vault 3003 as document_user__v full__v, app rimReg_v full__v` for each vault a new user gets. */
function newRecordShape(change: Change): string {
  const vaults = new Map<string, string[]>();
  const roles: string[] = [];
  for (const f of change.fields) {
    if (!SHAPE_PATH.test(f.path)) continue;
    const [head = '', key = '', third = '', fourth] = parseFieldPath(f.path);
    if (head === 'memberships') {
      const parts = vaults.get(key) ?? [];
      if (third === 'security_profile' || third === 'license_type') parts.push(code(bare(f.after)));
      else if (third === 'apps') parts.push(`app ${code(fourth ?? '')} ${code(formatValue(f.after))}`);
      else if (third === 'active' && f.after === false) parts.push('inactive');
      vaults.set(key, parts);
    } else if ((head === 'org' || head === 'sites' || head === 'studies') && (third === 'role' || key === 'role')) {
      roles.push(`${head === 'org' ? 'org' : head === 'sites' ? 'site' : 'study'} role ${code(bare(f.after))}`);
    } else if (f.path === 'domain_admin' && f.after === true) {
      roles.push('Domain Admin');
    }
  }
  const where = [...vaults.entries()].map(([id, parts]) => `vault ${code(id)} as ${parts.join(' ')}`.replace(/ (app `)/g, ', $1'));
  const shape = [...where, ...roles].join('; ');
  if (change.subject === 'sitevault_person') return shape;
  return shape === '' ? 'at domain level only' : `in ${shape}`;
}

/** A string value without JSON quotes (profile and licence names read better bare). */
function bare(value: JsonValue): string {
  return typeof value === 'string' ? value : formatValue(value);
}

function pairText(f: FieldChange): string {
  return `${code(fieldLabel(f.path))}: ${code(formatValue(f.before))} → ${code(formatValue(f.after))}`;
}

interface Acc {
  count: number;
  examples: string[];
  order: number;
}

function add(groups: Map<string, Acc>, description: string, user: string): void {
  let acc = groups.get(description);
  if (acc === undefined) {
    acc = { count: 0, examples: [], order: groups.size };
    groups.set(description, acc);
  }
  acc.count++;
  if (acc.examples.length < EXAMPLES) acc.examples.push(user);
}

/** Field changes of existing records, one row per field and value pair; too varied a field becomes one row. */
function fieldGroups(changes: readonly Change[], verb: string): Map<string, Acc> {
  const byLabel = new Map<string, Map<string, Acc>>();
  for (const change of changes) {
    for (const f of change.fields) {
      const label = code(fieldLabel(f.path));
      const pairs = byLabel.get(label) ?? new Map<string, Acc>();
      byLabel.set(label, pairs);
      add(pairs, `${verb} ${pairText(f)}`, change.key);
    }
  }
  const out = new Map<string, Acc>();
  for (const [label, pairs] of byLabel) {
    if (pairs.size <= MAX_DISTINCT_PAIRS) {
      for (const [description, acc] of pairs) out.set(description, acc);
      continue;
    }
    const merged: Acc = { count: 0, examples: [], order: out.size };
    for (const acc of pairs.values()) {
      merged.count += acc.count;
      for (const e of acc.examples) if (merged.examples.length < EXAMPLES) merged.examples.push(e);
    }
    out.set(`${verb} ${label}: ${pairs.size} different values`, merged);
  }
  return out;
}

/**
 * A group change in bulk rows: its creation or deactivation counted per group, and its members
 * counted per group and direction (examples are members); value edits go with `edits`.
 */
function groupRows(groups: Map<string, Acc>, change: Change, edits: Change[]): void {
  const parts = groupChangeParts(change);
  if (change.action === 'group_create' || change.action === 'group_deactivate') add(groups, ACTION_STYLES[change.action].label, change.key);
  else if (parts.values.length > 0) edits.push({ ...change, fields: parts.values });
  for (const member of parts.added) add(groups, `add to group ${code(change.key)}`, member);
  for (const member of parts.removed) add(groups, `remove from group ${code(change.key)}`, member);
}

/** The plan's changes in bulk groups, largest first (ties in plan order). */
export function bulkGroups(changes: readonly Change[]): BulkGroup[] {
  const groups = new Map<string, Acc>();
  const edits: Change[] = [];
  const siteEdits: Change[] = [];
  const groupEdits: Change[] = [];
  for (const change of changes) {
    const verb = ACTION_STYLES[change.action].label;
    if (change.subject === 'group') {
      groupRows(groups, change, groupEdits);
      continue;
    }
    if (isNew(change)) add(groups, `${verb} ${newRecordShape(change)}`, change.key);
    else if (change.action === 'deactivate' || change.action === 'reactivate') add(groups, verb, change.key);
    else if (change.subject === 'sitevault_person') siteEdits.push(change);
    else edits.push(change);
  }
  for (const [d, acc] of fieldGroups(edits, 'update')) groups.set(d, { ...acc, order: groups.size });
  for (const [d, acc] of fieldGroups(siteEdits, 'edit SiteVault')) groups.set(d, { ...acc, order: groups.size });
  for (const [d, acc] of fieldGroups(groupEdits, 'update group')) groups.set(d, { ...acc, order: groups.size });
  return [...groups.entries()]
    .sort(([, a], [, b]) => b.count - a.count || a.order - b.order)
    .map(([description, acc]) => ({ description, count: acc.count, examples: acc.examples }));
}
