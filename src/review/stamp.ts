/**
 * `review stamp`: writes `reviewed: {by, on}` on user entries, as a text edit that leaves every
 * other byte of the file as it was (comments, quoting, flow lists). The `yaml` package's Document
 * API finds each entry and its `reviewed` key by source range; only those lines change.
 */
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Pair, type YAMLMap } from 'yaml';
import { VaultRosterError } from '../errors.js';
import { normaliseIdentity } from '../model.js';

export interface StampEdit {
  /** Absolute path of the users file. */
  readonly path: string;
  /** Shown in errors (as the loader shows it). */
  readonly display: string;
  /** Lower-cased user names to stamp in this file. */
  readonly users: ReadonlySet<string>;
}

export interface Stamp {
  readonly by: string;
  /** `YYYY-MM-DD`. */
  readonly on: string;
}

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined;
}

/** Offset just past the end of the line holding `offset - 1` (its newline included). */
function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', Math.max(0, offset - 1));
  return newline === -1 ? text.length : newline + 1;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function stampText(stamp: Stamp): string {
  // A JSON string is a valid YAML double-quoted scalar: no value of `by` can break the line.
  return `reviewed: { by: ${JSON.stringify(stamp.by)}, on: ${stamp.on} }`;
}

function spliceFor(text: string, entry: YAMLMap, stamp: Stamp, where: string, eol: string): Splice {
  const pairs = entry.items;
  const existing = pairs.find((p) => keyOf(p) === 'reviewed');
  const keyRange = isScalar(existing?.key) ? existing.key.range : undefined;
  const valueNode = existing?.value as { range?: [number, number, number] } | undefined;
  if (keyRange !== undefined && keyRange !== null) {
    const valueEnd = valueNode?.range?.[1] ?? keyRange[1];
    const end = lineEnd(text, valueEnd);
    return { start: keyRange[0], end, text: `${stampText(stamp)}${text.slice(end - eol.length, end) === eol ? eol : ''}` };
  }
  const name = pairs.find((p) => keyOf(p) === 'user_name');
  const nameKey = isScalar(name?.key) ? name.key.range : undefined;
  const nameValue = name?.value as { range?: [number, number, number] } | undefined;
  if (nameKey === undefined || nameKey === null || nameValue?.range === undefined) throw new VaultRosterError('invalid-input', `${where}: the entry has no user_name to place reviewed after`, { hint: 'fix the entry (vault-roster validate)' });
  const indent = ' '.repeat(nameKey[0] - lineStart(text, nameKey[0]));
  const at = lineEnd(text, nameValue.range[1]);
  const needsBreak = at === text.length && !text.endsWith('\n');
  return { start: at, end: at, text: `${needsBreak ? eol : ''}${indent}${stampText(stamp)}${eol}` };
}

/** `text` with `reviewed` set on each named user; throws naming the file when an entry cannot be edited in place. */
export function stampUsersText(text: string, edit: StampEdit, stamp: Stamp): { text: string; stamped: string[] } {
  const doc = parseDocument(text);
  const users = isMap(doc.contents) ? doc.contents.get('users', true) : undefined;
  if (!isSeq(users)) throw new VaultRosterError('invalid-input', `${edit.display} has no users: list`, { hint: 'stamp edits users files only' });
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const splices: Splice[] = [];
  const stamped: string[] = [];
  users.items.forEach((item, index) => {
    if (!isMap(item)) return;
    const name = item.get('user_name');
    if (typeof name !== 'string' || !edit.users.has(normaliseIdentity(name))) return;
    const where = `${edit.display} users[${index}] (${normaliseIdentity(name)})`;
    if (item.flow === true) {
      throw new VaultRosterError('invalid-input', `${where} is written as a flow mapping { … }; stamp adds a line and would have to rewrite it`, { hint: 'write the entry in block style (one key per line), then stamp again' });
    }
    splices.push(spliceFor(text, item, stamp, where, eol));
    stamped.push(normaliseIdentity(name));
  });
  let out = text;
  for (const s of splices.sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return { text: out, stamped };
}

/** Writes `content` over `path` through a temporary file, keeping the file's permissions. */
export function replaceFile(path: string, content: string): void {
  const mode = statSync(path).mode & 0o777;
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.stamp.tmp`);
  writeFileSync(temp, content, { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}

/** Applies every edit; returns the original texts so a caller can put them back. */
export function stampFiles(edits: readonly StampEdit[], stamp: Stamp): { originals: Map<string, string>; stamped: string[] } {
  const originals = new Map<string, string>();
  const planned: { path: string; text: string }[] = [];
  const stamped: string[] = [];
  // Every file is edited in memory first: one entry that cannot be edited stops the run before any write.
  for (const edit of edits) {
    const text = readFileSync(edit.path, 'utf8');
    const result = stampUsersText(text, edit, stamp);
    originals.set(edit.path, text);
    planned.push({ path: edit.path, text: result.text });
    stamped.push(...result.stamped);
  }
  for (const p of planned) replaceFile(p.path, p.text);
  return { originals, stamped: stamped.sort() };
}
