/**
 * The VQL subset the simulator answers (VAULT-API.md §6.2):
 *   SELECT f1, f2 FROM user__sys|person__sys|group__sys|group_membership__sys
 *     [WHERE f op value [AND …]]  (op: = != < > <= >= LIKE IN (…); values 'text', numbers, true/false, null)
 *     [ORDER BY f [ASC|DESC]] [PAGESIZE n] [PAGEOFFSET n] [MAXROWS n]
 * Keywords are case-insensitive, string comparison too. OR, functions and joins are refused
 * with INCORRECT_QUERY_SYNTAX_ERROR.
 */
import { membershipOf, isDomainActive, type SimUser, type ClinicalPersonRecord, type SimGroup } from './records.js';
import type { Store } from './store.js';
import { impliedMembers } from './groups.js';
import type { GroupsBehaviour } from './profiles.js';

export class VqlError extends Error {}

type Value = string | number | boolean | null;
interface Condition {
  readonly field: string;
  readonly op: '=' | '!=' | '<' | '>' | '<=' | '>=' | 'LIKE' | 'IN';
  readonly values: readonly Value[];
}

export interface ParsedQuery {
  readonly fields: readonly string[];
  readonly object: string;
  readonly where: readonly Condition[];
  readonly orderBy: { readonly field: string; readonly desc: boolean } | undefined;
  readonly pageSize: number | undefined;
  readonly pageOffset: number | undefined;
  readonly maxRows: number | undefined;
}

export interface QueryCursor {
  readonly query: ParsedQuery;
  readonly vaultId: number;
  lastUsedAt: number;
}

type Token = { kind: 'word' | 'string' | 'number' | 'punct'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|'((?:\\.|[^'\\])*)'|(!=|<>|<=|>=|[=<>,()*]))/y;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    re.lastIndex = index;
    const m = re.exec(text);
    if (m === null) throw new VqlError(`unexpected character at position ${index + 1}`);
    index = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'number', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'word', text: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: 'string', text: m[3].replace(/\\(.)/g, '$1') });
    else tokens.push({ kind: 'punct', text: m[4] === '<>' ? '!=' : (m[4] ?? '') });
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peekWord(): string | undefined {
    const t = this.tokens[this.pos];
    return t?.kind === 'word' ? t.text.toUpperCase() : undefined;
  }
  next(): Token {
    const t = this.tokens[this.pos];
    if (t === undefined) throw new VqlError('unexpected end of query');
    this.pos += 1;
    return t;
  }
  keyword(word: string): void {
    if (this.peekWord() !== word) throw new VqlError(`expected ${word} near '${this.tokens[this.pos]?.text ?? 'end of query'}'`);
    this.pos += 1;
  }
  punct(text: string): boolean {
    if (this.tokens[this.pos]?.kind === 'punct' && this.tokens[this.pos]?.text === text) {
      this.pos += 1;
      return true;
    }
    return false;
  }
  identifier(): string {
    const t = this.next();
    if (t.kind !== 'word') throw new VqlError(`expected a field name, got '${t.text}'`);
    return t.text;
  }
  integer(): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw new VqlError(`expected a whole number, got '${t.text}'`);
    return Number(t.text);
  }
  value(): Value {
    const t = this.next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    const upper = t.text.toUpperCase();
    if (t.kind === 'word' && (upper === 'TRUE' || upper === 'FALSE')) return upper === 'TRUE';
    if (t.kind === 'word' && upper === 'NULL') return null;
    throw new VqlError(`expected a value, got '${t.text}'`);
  }
  condition(): Condition {
    const field = this.identifier();
    if (this.peekWord() === 'IN') {
      this.pos += 1;
      if (!this.punct('(')) throw new VqlError('expected ( after IN');
      const values = [this.value()];
      while (this.punct(',')) values.push(this.value());
      if (!this.punct(')')) throw new VqlError('expected ) to close IN');
      return { field, op: 'IN', values };
    }
    if (this.peekWord() === 'LIKE') {
      this.pos += 1;
      return { field, op: 'LIKE', values: [this.value()] };
    }
    const t = this.next();
    if (t.kind !== 'punct' || !['=', '!=', '<', '>', '<=', '>='].includes(t.text)) throw new VqlError(`expected an operator after ${field}`);
    return { field, op: t.text as Condition['op'], values: [this.value()] };
  }
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
}

export function parseVql(text: string): ParsedQuery {
  const p = new Parser(tokenize(text));
  p.keyword('SELECT');
  const fields = [p.identifier()];
  while (p.punct(',')) fields.push(p.identifier());
  p.keyword('FROM');
  const object = p.identifier();
  const where: Condition[] = [];
  let orderBy: ParsedQuery['orderBy'];
  const paging: Record<string, number> = {};
  if (p.peekWord() === 'WHERE') {
    p.next();
    where.push(p.condition());
    for (;;) {
      const word = p.peekWord();
      if (word === 'OR') throw new VqlError('OR is not supported by the simulator; use IN');
      if (word !== 'AND') break;
      p.next();
      where.push(p.condition());
    }
  }
  if (p.peekWord() === 'ORDER') {
    p.next();
    p.keyword('BY');
    const field = p.identifier();
    const dir = p.peekWord();
    if (dir === 'ASC' || dir === 'DESC') p.next();
    orderBy = { field, desc: dir === 'DESC' };
  }
  while (!p.atEnd()) {
    const word = p.peekWord();
    if (word !== 'PAGESIZE' && word !== 'PAGEOFFSET' && word !== 'MAXROWS') throw new VqlError(`unexpected '${p.next().text}'`);
    p.next();
    if (paging[word] !== undefined) throw new VqlError(`${word} given twice`);
    paging[word] = p.integer();
  }
  return { fields, object: object.toLowerCase(), where, orderBy, pageSize: paging.PAGESIZE, pageOffset: paging.PAGEOFFSET, maxRows: paging.MAXROWS };
}

type Resolver<T> = (record: T, vaultId: number) => Value;

const text = (v: unknown): Value => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null);

const USER_SYS: Readonly<Record<string, Resolver<SimUser>>> = {
  id: (u) => String(u.id),
  name__v: (u) => `${String(u.fields.user_first_name__v ?? '')} ${String(u.fields.user_last_name__v ?? '')}`.trim(),
  username__sys: (u) => text(u.fields.user_name__v),
  first_name__sys: (u) => text(u.fields.user_first_name__v),
  last_name__sys: (u) => text(u.fields.user_last_name__v),
  email__sys: (u) => text(u.fields.user_email__v),
  language__sys: (u) => text(u.fields.user_language__v),
  locale__sys: (u) => text(u.fields.user_locale__v),
  timezone__sys: (u) => text(u.fields.user_timezone__v),
  company__sys: (u) => text(u.fields.company__v),
  title__sys: (u) => text(u.fields.user_title__v),
  federated_id__sys: (u) => text(u.fields.federated_id__v),
  security_profile__sys: (u, v) => membershipOf(u, v)?.profile ?? null,
  license_type__sys: (u, v) => membershipOf(u, v)?.license ?? null,
  status__v: (u, v) => (membershipOf(u, v)?.active === true && isDomainActive(u) ? 'active__v' : 'inactive__v'),
  domain_admin__sys: (u) => u.fields.is_domain_admin__v === true,
  source_person_id__v: (u) => text(u.fields.source_person_id__v),
  created_date__v: (u) => text(u.fields.created_date__v),
  modified_date__v: (u) => text(u.fields.modified_date__v),
};

const PERSON_SYS: Readonly<Record<string, Resolver<ClinicalPersonRecord>>> = {
  id: (p) => p.id,
  name__v: (p) => `${p.first_name__sys ?? ''} ${p.last_name__sys ?? ''}`.trim(),
  first_name__sys: (p) => p.first_name__sys,
  last_name__sys: (p) => p.last_name__sys,
  email__sys: (p) => p.email__sys,
  vault_user__sys: (p) => p.vault_user__sys,
  status__v: (p) => p.status__v,
};

/** VQL picklist names of the group kinds (`type__sys`, picklist group_types__sys). */
const GROUP_TYPE: Readonly<Record<SimGroup['kind'], string>> = {
  user_managed: 'user_managed__sys',
  system: 'system_managed__sys',
  auto: 'auto_managed__sys',
  manager: 'manager_group__sys',
};

const GROUP_SYS: Readonly<Record<string, Resolver<SimGroup>>> = {
  id: (g) => g.id,
  name__v: (g) => g.name,
  label__v: (g) => g.label,
  status__v: (g) => (g.active ? 'active__v' : 'inactive__v'),
  description__sys: (g) => g.description,
  system_group__sys: (g) => g.kind === 'system' || g.kind === 'manager',
  type__sys: (g) => GROUP_TYPE[g.kind],
  created_date__v: (g) => g.created,
  modified_date__v: (g) => g.modified,
};

interface MembershipRecord {
  readonly groupId: number;
  readonly userId: number;
}

const GROUP_MEMBERSHIP_SYS: Readonly<Record<string, Resolver<MembershipRecord>>> = {
  id: (m) => `${m.groupId}_${m.userId}`,
  user_id__sys: (m) => m.userId,
  group_id__sys: (m) => m.groupId,
};

/** One row per user and group: explicit members, and implied ones unless the profile says explicit only. */
function* membershipRecords(store: Store, vaultId: number, rows: GroupsBehaviour['membershipRows']): Generator<MembershipRecord> {
  for (const group of store.groupsOf(vaultId)) {
    const ids = new Set(group.members);
    if (rows === 'explicit-and-implied') for (const m of impliedMembers(store, group)) ids.add(m.id);
    for (const userId of [...ids].sort((a, b) => a - b)) yield { groupId: group.id, userId };
  }
}

function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a ?? '').toLowerCase();
  const y = String(b ?? '').toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function matches(actual: Value, c: Condition): boolean {
  const [first = null] = c.values;
  if (c.op === 'IN') return c.values.some((v) => v !== null && actual !== null && compare(actual, v) === 0);
  if (first === null) {
    if (c.op === '=') return actual === null;
    if (c.op === '!=') return actual !== null;
    return false;
  }
  if (actual === null) return c.op === '!=';
  if (c.op === 'LIKE') {
    const pattern = String(first).toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*');
    return new RegExp(`^${pattern}$`, 's').test(String(actual).toLowerCase());
  }
  const order = compare(actual, first);
  switch (c.op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '>=':
      return order >= 0;
  }
}

function select<T>(records: Iterable<T>, resolvers: Readonly<Record<string, Resolver<T>>>, q: ParsedQuery, vaultId: number, object: string): Record<string, Value>[] {
  const known = (f: string): Resolver<T> => {
    const r = resolvers[f];
    if (r === undefined) throw new VqlError(`no such field [${f}] on ${object}`);
    return r;
  };
  const projections = q.fields.map((f) => [f, known(f)] as const);
  const filters = q.where.map((c) => [known(c.field), c] as const);
  const order = q.orderBy === undefined ? undefined : known(q.orderBy.field);
  const rows: { row: Record<string, Value>; key: Value }[] = [];
  for (const record of records) {
    if (!filters.every(([resolve, c]) => matches(resolve(record, vaultId), c))) continue;
    const row: Record<string, Value> = {};
    for (const [name, resolve] of projections) row[name] = resolve(record, vaultId);
    rows.push({ row, key: order === undefined ? null : order(record, vaultId) });
  }
  if (order !== undefined) {
    rows.sort((a, b) => compare(a.key, b.key));
    if (q.orderBy?.desc === true) rows.reverse();
  }
  return rows.map((r) => r.row);
}

/** All rows of the query in the vault, before paging. Throws VqlError. */
export function runQuery(
  q: ParsedQuery,
  store: Store,
  vaultId: number,
  groups: Pick<GroupsBehaviour, 'membershipRows'> = { membershipRows: 'explicit-and-implied' },
): Record<string, Value>[] {
  if (q.object === 'user__sys') {
    const ids = store.cachedList(`vql-members-${vaultId}`, () =>
      store.allIds().filter((id) => {
        const u = store.user(id);
        return u !== undefined && membershipOf(u, vaultId) !== undefined;
      }),
    );
    const users = function* (): Generator<SimUser> {
      for (const id of ids) {
        const u = store.user(id);
        if (u !== undefined) yield u;
      }
    };
    return select(users(), USER_SYS, q, vaultId, 'user__sys');
  }
  if (q.object === 'person__sys') {
    const persons = store.clinical?.vault_id === vaultId ? store.clinical.persons.values() : [];
    return select(persons, PERSON_SYS, q, vaultId, 'person__sys');
  }
  if (q.object === 'group__sys') return select(store.groupsOf(vaultId), GROUP_SYS, q, vaultId, 'group__sys');
  if (q.object === 'group_membership__sys') {
    return select(membershipRecords(store, vaultId, groups.membershipRows), GROUP_MEMBERSHIP_SYS, q, vaultId, 'group_membership__sys');
  }
  throw new VqlError(`object [${q.object}] is not queryable in the simulator (user__sys, person__sys, group__sys, group_membership__sys)`);
}
