/**
 * CSV request bodies for the bulk user calls (VAULT-API.md §5.5, §5.7). Pure.
 *
 * Vault reads CSV as RFC 4180 with documented deviations ("CSV Format Deviations from RFC",
 * general.veevavault.dev/vault-api/references/csv-rfc-deviations): CRLF and LF both end a line,
 * a carriage return is not supported inside a value, a tab is, and a backslash must be doubled
 * to stand for one backslash. A blank cell means "not supplied" (Vault Loader), so a value that
 * would be written as a blank cell (`null`, the empty string) is refused rather than sent as
 * "leave unchanged": clears go through Update Single User, where `null` is documented.
 */
import { VaultRosterError } from '../errors.js';
import type { FieldValue } from '../model.js';

/** One bulk row: the user it writes (named in errors) and its Vault field values. */
export interface CsvRow {
  readonly key: string;
  readonly body: Readonly<Record<string, FieldValue>>;
}

export interface CsvOptions {
  /** Record separator; RFC 4180's CRLF by default (Vault also reads LF). */
  readonly lineEnding?: '\r\n' | '\n';
}

/** A cell Vault cannot read back as `text`: a carriage return has no documented CSV form. */
export function csvUnencodable(text: string): string | undefined {
  return text.includes('\r') ? 'a carriage return, which Vault does not support inside a CSV value' : undefined;
}

/**
 * One cell: backslashes doubled (Vault's deviation), then quoted when it holds a comma, a quote,
 * a line feed, or starts or ends with white space (which a reader could trim); quotes doubled.
 */
export function csvCell(text: string): string {
  const escaped = text.replaceAll('\\', '\\\\');
  return /[",\n]|^\s|\s$/.test(escaped) ? `"${escaped.replaceAll('"', '""')}"` : escaped;
}

/** Header and rows of plain strings (an empty string is a blank cell). */
export function formatCsvTable(header: readonly string[], rows: readonly (readonly string[])[], options: CsvOptions = {}): string {
  const eol = options.lineEnding ?? '\r\n';
  for (const text of [...header, ...rows.flat()]) {
    const why = csvUnencodable(text);
    if (why !== undefined) throw new Error(`CSV cell holds ${why}`);
  }
  return [header, ...rows].map((cells) => cells.map(csvCell).join(',')).join(eol) + eol;
}

/** Columns: the union of the rows' fields in first-seen order (the key column comes first). */
export function csvColumns(rows: readonly CsvRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row.body)) seen.add(name);
  return [...seen];
}

function refuse(row: CsvRow, field: string, why: string): never {
  throw new VaultRosterError('plan-invalid', `cannot send ${field} of ${row.key} as CSV: it holds ${why}`, {
    hint: 'Set vault.body_format: json in roster.yaml, or change the value; nothing was sent in this batch.',
  });
}

function cellText(row: CsvRow, field: string, value: FieldValue): string {
  if (value === null) refuse(row, field, 'null, which a CSV cell cannot carry (a blank cell means "unchanged")');
  const text = String(value);
  if (text === '') refuse(row, field, 'an empty value, which Vault reads from CSV as "unchanged"');
  const why = csvUnencodable(text);
  if (why !== undefined) refuse(row, field, why);
  return text;
}

/**
 * The CSV body of a bulk call. A row that does not set a column gets a blank cell, which Vault
 * reads as "not supplied", so no field is changed that the row does not name.
 */
export function encodeUserCsv(rows: readonly CsvRow[], options: CsvOptions = {}): string {
  const columns = csvColumns(rows);
  const cells = rows.map((row) => columns.map((field) => (Object.hasOwn(row.body, field) ? cellText(row, field, row.body[field] as FieldValue) : '')));
  return formatCsvTable(columns, cells, options);
}
