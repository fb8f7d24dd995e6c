/**
 * CSV for bulk user calls, read as strictly as Vault documents it: RFC 4180 (quoted fields, `""`
 * escapes, a leading BOM) with Vault's documented deviations ("CSV Format Deviations from RFC",
 * Vault API references): CRLF and LF both end a record, a carriage return is not supported in a
 * value, a tab is, and a backslash must be doubled to stand for one. Anything else (a lone
 * backslash, a bare CR, a ragged or blank row, a quote inside a bare field, bytes that are not
 * UTF-8) is refused, so a client that relies on leniency fails here first. Also writes the
 * bulk result CSV.
 */

export class CsvError extends Error {}

/** The body as UTF-8 text; invalid bytes are refused, not replaced. */
export function decodeCsvBody(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CsvError('the body is not valid UTF-8');
  }
}

class Reader {
  readonly records: string[][] = [];
  private record: string[] = [];
  private field = '';
  private quoted = false;
  /** Whether the current record has anything yet (a delimiter, a quote or a character). */
  private started = false;
  private line = 1;
  private i = 0;

  constructor(private readonly src: string) {}

  fail(what: string): never {
    throw new CsvError(`line ${this.line}: ${what}`);
  }

  run(): string[][] {
    while (this.i < this.src.length) this.step(this.src.charAt(this.i));
    if (this.quoted) this.fail('unterminated quoted field');
    if (this.started) this.endRecord();
    return this.records;
  }

  private step(ch: string): void {
    this.i += 1;
    if (ch === '\\') {
      this.backslash();
      return;
    }
    if (ch === '\r') {
      if (this.src[this.i] !== '\n' || this.quoted) this.fail('a carriage return is only allowed as part of a CRLF line ending, never inside a value');
      return;
    }
    if (this.quoted) {
      this.quotedChar(ch);
      return;
    }
    if (ch === '"') {
      if (this.field !== '') this.fail('quote inside an unquoted field');
      this.quoted = true;
      this.started = true;
    } else if (ch === ',') {
      this.record.push(this.field);
      this.field = '';
      this.started = true;
    } else if (ch === '\n') {
      this.endRecord();
      this.line += 1;
    } else {
      this.field += ch;
      this.started = true;
    }
  }

  /** `\\` stands for one backslash; a single one has no documented meaning. */
  private backslash(): void {
    if (this.src[this.i] !== '\\') this.fail('a backslash must be doubled (\\\\) to stand for one backslash');
    this.i += 1;
    this.field += '\\';
    this.started = true;
  }

  private quotedChar(ch: string): void {
    if (ch !== '"') {
      if (ch === '\n') this.line += 1;
      this.field += ch;
      return;
    }
    if (this.src[this.i] === '"') {
      this.field += '"';
      this.i += 1;
      return;
    }
    this.quoted = false;
    const next = this.src[this.i];
    if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') this.fail('unexpected character after closing quote');
  }

  private endRecord(): void {
    this.record.push(this.field);
    this.records.push(this.record);
    this.record = [];
    this.field = '';
    this.started = false;
  }
}

/**
 * Splits CSV text into records of fields. A blank line is a record of one empty field (RFC 4180);
 * only the final line ending may be left without a record after it.
 */
export function parseCsvRecords(text: string): string[][] {
  return new Reader(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).run();
}

function checkHeader(header: readonly string[]): void {
  if (header.some((n) => n === '')) throw new CsvError('the CSV header has an empty column name');
  const padded = header.find((n) => n.trim() !== n);
  if (padded !== undefined) throw new CsvError(`the CSV column name [${padded}] has leading or trailing white space`);
  if (new Set(header).size !== header.length) throw new CsvError('the CSV header repeats a column');
}

/** Header + rows as objects; every row must have exactly as many fields as the header. */
export function parseCsvTable(text: string): { header: string[]; rows: Record<string, string>[] } {
  const records = parseCsvRecords(text);
  const [header, ...body] = records;
  if (header === undefined) throw new CsvError('the CSV has no header row');
  checkHeader(header);
  const rows = body.map((fields, index) => {
    if (fields.length !== header.length) {
      const blank = fields.length === 1 && fields[0] === '';
      throw new CsvError(blank ? `row ${index + 1} is blank` : `row ${index + 1} has ${fields.length} fields but the header has ${header.length}`);
    }
    const row: Record<string, string> = {};
    header.forEach((name, i) => {
      row[name] = fields[i] ?? '';
    });
    return row;
  });
  return { header, rows };
}

function quote(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/\r/g, '');
  return /[",\n]/.test(escaped) ? `"${escaped.replace(/"/g, '""')}"` : escaped;
}

export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}
