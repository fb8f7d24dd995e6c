/**
 * RFC 4180 CSV for bulk user calls: parse a header + rows (quoted fields, `""` escapes,
 * CRLF or LF, a leading BOM), refusing ragged rows; and write the bulk result CSV.
 */

export class CsvError extends Error {}

/** Splits CSV text into records of fields. Blank lines are skipped. */
export function parseCsvRecords(text: string): string[][] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  const endRecord = (): void => {
    record.push(field);
    if (!(record.length === 1 && record[0] === '' && !fieldStarted)) records.push(record);
    record = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src.charAt(i);
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 1;
        } else {
          quoted = false;
          const next = src[i + 1];
          if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
            throw new CsvError(`line ${line}: unexpected character after closing quote`);
          }
        }
      } else {
        if (ch === '\n') line += 1;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new CsvError(`line ${line}: quote inside an unquoted field`);
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && src[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvError(`line ${line}: unterminated quoted field`);
  if (field !== '' || fieldStarted || record.length > 0) endRecord();
  return records;
}

/** Header + rows as objects; every row must have exactly as many fields as the header. */
export function parseCsvTable(text: string): { header: string[]; rows: Record<string, string>[] } {
  const records = parseCsvRecords(text);
  const [header, ...body] = records;
  if (header === undefined) throw new CsvError('the CSV has no header row');
  const names = header.map((h) => h.trim());
  if (names.some((n) => n === '')) throw new CsvError('the CSV header has an empty column name');
  if (new Set(names).size !== names.length) throw new CsvError('the CSV header repeats a column');
  const rows = body.map((fields, index) => {
    if (fields.length !== names.length) {
      throw new CsvError(`row ${index + 1} has ${fields.length} fields but the header has ${names.length}`);
    }
    const row: Record<string, string> = {};
    names.forEach((name, i) => {
      row[name] = fields[i] ?? '';
    });
    return row;
  });
  return { header: names, rows };
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}
