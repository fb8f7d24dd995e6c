/** CSV input for the bulk user endpoints (RFC 4180, UTF-8; VAULT-API.md §5.5). */
import type { FieldValue } from '../model.js';

function cell(value: FieldValue | undefined): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Columns are the union of the rows' keys in first-seen order; a row without a column gets an empty cell. */
export function encodeCsv(rows: readonly Readonly<Record<string, FieldValue>>[]): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  const lines = [columns.map((c) => cell(c)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
