/**
 * A fast reader for the plain subset of YAML that desired-state files are written in (what
 * `import` writes and what people type): block mappings and sequences indented with spaces,
 * single-line plain and quoted scalars, single-line flow collections, comments, LF or CRLF.
 *
 * It is one half of a pair. Anything outside the subset (anchors, aliases, tags, block scalars,
 * multi-line scalars, directives, several documents, tabs, control characters, duplicate or
 * non-text keys, escapes in double quotes, and every syntax error) makes it give up, and the
 * caller hands the file to the full `yaml` parser, which produces the detailed diagnostics. So
 * this reader never reports a problem; it only has to agree with `yaml` (YAML 1.2 core schema)
 * on every file it accepts, which test/desired/yaml-subset.test.ts checks differentially.
 *
 * Besides the data it records source offsets in a flat tape: for each mapping entry the offset
 * of its key and of its value, for each sequence item the offset of the item, following the
 * node ranges `yaml` uses (a block mapping starts at its first key, a block sequence at its
 * first dash, a flow collection at its bracket, a quoted scalar at its quote). An empty value's
 * offset is recorded as unknown (-1): only the full parser can say where it is.
 */

/** Tape record kinds. A mapping record is [MAP, count, (keyOffset, valueOffset, child)*count]. */
export const TAPE_MAP = 1;
/** A sequence record is [SEQ, count, (itemOffset, child)*count]; child is -1 for a scalar. */
export const TAPE_SEQ = 2;
/** Offset of a node `yaml` gives a range that this reader does not compute (an empty value). */
export const UNKNOWN_OFFSET = -1;

export interface SubsetDocument {
  /** The document as `yaml`'s toJS() returns it: a mapping at the top. */
  readonly data: Record<string, unknown>;
  /** Offset of the top-level mapping (its first key). */
  readonly rootOffset: number;
  readonly tape: Int32Array;
  /** Tape index of the top-level mapping's record. */
  readonly root: number;
}

/** Thrown inside the reader when the text leaves the subset; never escapes parseSubset. */
class OutsideSubset extends Error {}

const LF = 10;
const CR = 13;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const SQUOTE = 39;
const DQUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
/** Longest implicit key `yaml` accepts is 1024 characters; stay well clear of the edge. */
const MAX_KEY_LENGTH = 1000;
/** Slots in the cache of recently read keys (a power of two). */
const KEY_CACHE_SIZE = 1024;
/** Plain values up to this length are looked up in the value cache (longer ones are seldom shared). */
const VALUE_CACHE_MAX_LENGTH = 32;

/**
 * Characters the subset refuses anywhere: tabs (YAML forbids them in indentation, and a tab
 * elsewhere is rare enough to leave to the full parser), control characters, a byte order mark
 * past the start, and the line separators YAML 1.1 treated as line breaks.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const REFUSED_CHARACTERS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;

/** c-indicator characters: a plain scalar cannot start with one (`-` has its own rule). */
function isIndicator(c: number): boolean {
  switch (c) {
    case 63: // ?
    case COLON:
    case COMMA:
    case LBRACKET:
    case RBRACKET:
    case LBRACE:
    case RBRACE:
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case SQUOTE:
    case DQUOTE:
    case 37: // %
    case 64: // @
    case 96: // `
      return true;
    default:
      return false;
  }
}

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

/**
 * A plain scalar's value under the YAML 1.2 core schema, tried in the order `yaml` tries its
 * tags: null, bool, octal, decimal and hexadecimal integers, special floats, exponent and
 * decimal floats; everything else is text.
 */
export function resolvePlain(text: string): unknown {
  const c = text.charCodeAt(0);
  const maybeNumber = (c >= 48 && c <= 57) || c === 43 || c === DASH || c === 46;
  if (!maybeNumber) {
    // Only null, true and false remain, all of them at most five characters long.
    if (text.length > 5) return text;
    if (/^(?:~|[Nn]ull|NULL)?$/.test(text)) return null;
    if (/^(?:[Tt]rue|TRUE)$/.test(text)) return true;
    if (/^(?:[Ff]alse|FALSE)$/.test(text)) return false;
    return text;
  }
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(text)) return parseInt(text, 10);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(text)) {
    if (text.endsWith('nan') || text.endsWith('NaN') || text.endsWith('NAN')) return NaN;
    return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(text)) return parseFloat(text);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(text)) return parseFloat(text);
  return text;
}

/** A growable Int32 stack: the tape, and the scratch space entries wait in until their record closes. */
class IntBuffer {
  data = new Int32Array(4096);
  length = 0;

  /** Emptied for another document; the memory stays (see `workBuffers`). */
  reset(): this {
    this.length = 0;
    return this;
  }

  /** Room for `more` values. */
  reserve(more: number): void {
    if (this.length + more > this.data.length) this.grow(more);
  }

  private grow(more: number): void {
    const grown = new Int32Array(Math.max(this.data.length * 2, this.length + more));
    grown.set(this.data);
    this.data = grown;
  }

  push2(a: number, b: number): void {
    if (this.length + 2 > this.data.length) this.grow(2);
    const data = this.data;
    data[this.length] = a;
    data[this.length + 1] = b;
    this.length += 2;
  }

  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) this.grow(3);
    const data = this.data;
    data[this.length] = a;
    data[this.length + 1] = b;
    data[this.length + 2] = c;
    this.length += 3;
  }
}

/**
 * The tape and scratch stacks, kept from one document to the next: the reader is synchronous, so
 * one pair serves every call. Growing fresh stacks by doubling for each file of a large repo
 * allocated twice its tape in new memory, which the kernel faults in page by page (about 4% of
 * `validate` at 100,000 users). The finished tape is copied out at its exact length.
 */
const workBuffers = { tape: new IntBuffer(), scratch: new IntBuffer() };

class SubsetReader {
  private readonly len: number;
  private readonly tape = workBuffers.tape.reset();
  private readonly scratch = workBuffers.scratch.reset();
  /** Start of the line the cursor is on, and the cursor: the first character of content. */
  private lineStart = 0;
  private at = 0;
  /** Column of the content at the cursor, or -1 at the end of the text. */
  private indent = -1;
  /** Tape index of the last collection read (-1 after a scalar). */
  private child = -1;
  /** Key text found by tryKey. */
  private key = '';
  private readonly keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SIZE);
  /** Source text and resolved value of recent plain values, by the same slot scheme as keys. */
  private readonly valueTexts: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SIZE);
  private readonly valueValues: unknown[] = new Array<unknown>(KEY_CACHE_SIZE);
  /** Offset of the last value read by valueAfter or inlineValue (UNKNOWN_OFFSET when empty). */
  private offset = UNKNOWN_OFFSET;

  constructor(private readonly src: string) {
    this.len = src.length;
  }

  private refuse(): never {
    throw new OutsideSubset();
  }

  private code(i: number): number {
    return this.src.charCodeAt(i);
  }

  /** True at a line end: LF, CR LF, or the end of the text. */
  private isLineEnd(i: number): boolean {
    if (i >= this.len) return true;
    const c = this.code(i);
    return c === LF || c === CR;
  }

  private isBlank(i: number): boolean {
    return i >= this.len || this.code(i) === SPACE || this.code(i) === LF || this.code(i) === CR;
  }

  read(): SubsetDocument {
    if (REFUSED_CHARACTERS.test(this.src)) this.refuse();
    for (let i = this.src.indexOf('\r'); i >= 0; i = this.src.indexOf('\r', i + 1)) {
      if (this.code(i + 1) !== LF) this.refuse();
    }
    this.nextLine(-1);
    if (this.indent < 0) this.refuse();
    const rootOffset = this.at;
    const colon = this.tryKey(this.at);
    if (colon < 0) this.refuse();
    const data = this.blockMap(this.indent, colon);
    const root = this.child;
    if (this.indent >= 0) this.refuse();
    return { data, rootOffset, tape: this.tape.data.slice(0, this.tape.length), root };
  }

  /** Moves to the next line holding content, past blank and comment-only lines; `eol` is the end of the current one. */
  private nextLine(eol: number): void {
    let p = eol + 1;
    for (;;) {
      let q = p;
      while (q < this.len && this.code(q) === SPACE) q++;
      if (q >= this.len) {
        this.indent = -1;
        this.at = this.len;
        return;
      }
      const c = this.code(q);
      if (c === LF || c === CR) {
        p = this.code(q) === CR ? q + 2 : q + 1;
        continue;
      }
      if (c === HASH) {
        const nl = this.src.indexOf('\n', q);
        if (nl < 0) {
          this.indent = -1;
          this.at = this.len;
          return;
        }
        p = nl + 1;
        continue;
      }
      this.lineStart = p;
      this.at = q;
      this.indent = q - p;
      // Document markers and directives belong to the full parser.
      if (this.indent === 0 && (this.src.startsWith('---', q) || this.src.startsWith('...', q)) && this.isBlank(q + 3)) this.refuse();
      return;
    }
  }

  /** After a value that ends at `p`: only spaces and a comment may follow on the line. */
  private endLine(p: number): void {
    let q = p;
    while (q < this.len && this.code(q) === SPACE) q++;
    const c = this.code(q);
    let eol: number;
    if (q >= this.len) eol = this.len;
    else if (c === LF) eol = q;
    else if (c === CR) eol = q + 1;
    else if (c === HASH && q > p) {
      const nl = this.src.indexOf('\n', q);
      eol = nl < 0 ? this.len : nl;
    } else this.refuse();
    this.nextLine(eol);
  }

  /** A `- ` (or a `-` ending the line) at `i`. */
  private isDash(i: number): boolean {
    return this.code(i) === DASH && this.isBlank(i + 1);
  }

  /**
   * When a block mapping key starts at `i`, stores it in `this.key` and returns the offset of
   * its `:`; otherwise -1. Keys the subset cannot mirror exactly (non-text, numeric-looking,
   * `__proto__`, very long) make the reader give up.
   */
  private tryKey(i: number): number {
    const c = this.code(i);
    if (c === SQUOTE || c === DQUOTE) {
      const end = c === SQUOTE ? this.singleQuoted(i) : this.doubleQuoted(i);
      if (this.code(end) !== COLON || !this.isBlank(end + 1)) return -1;
      this.checkKey(this.quotedValue, end - i);
      return end;
    }
    if (isIndicator(c) || (c === DASH && this.isBlank(i + 1))) return -1;
    for (let j = i; j < this.len; j++) {
      const d = this.code(j);
      if (d === LF || d === CR) return -1;
      if (d === HASH && this.code(j - 1) === SPACE) return -1;
      if (d === COLON && this.isBlank(j + 1)) {
        let end = j;
        while (this.code(end - 1) === SPACE) end--;
        this.key = this.plainKey(i, end);
        return j;
      }
    }
    return -1;
  }

  /**
   * The text of a plain key at [start, end), checked. Keys repeat on every user, so a small
   * cache hands back the string seen last time instead of slicing and checking it again.
   */
  private plainKey(start: number, end: number): string {
    const length = end - start;
    const slot = (this.code(start) * 31 + this.code(end - 1) + length * 7) & (KEY_CACHE_SIZE - 1);
    const cached = this.keyCache[slot];
    if (cached !== undefined && cached.length === length && this.src.startsWith(cached, start)) return cached;
    const text = this.src.slice(start, end);
    if (typeof resolvePlain(text) !== 'string') this.refuse();
    this.checkKey(text, length);
    this.keyCache[slot] = text;
    return text;
  }

  private checkKey(key: string, sourceLength: number): void {
    const first = key.charCodeAt(0);
    const indexLike = first >= 48 && first <= 57 && /^[0-9]+$/.test(key);
    if (sourceLength > MAX_KEY_LENGTH || indexLike || key === '__proto__' || key === '<<') this.refuse();
    this.key = key;
  }

  /** A block mapping whose first key is at the cursor, in column `col`; tryKey found its `:` at `firstColon`. */
  private blockMap(col: number, firstColon: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    const mark = this.scratch.length;
    let count = 0;
    let colon = firstColon;
    for (;;) {
      const keyAt = this.at;
      if (count > 0) colon = this.tryKey(keyAt);
      if (colon < 0) this.refuse();
      const key = this.key;
      if (Object.hasOwn(map, key)) this.refuse();
      map[key] = this.valueAfter(colon + 1, col, true);
      this.scratch.push3(keyAt, this.offset, this.child);
      count++;
      if (this.indent < col) break;
      if (this.indent > col || this.isDash(this.at)) this.refuse();
    }
    this.child = this.flush(TAPE_MAP, count, mark);
    return map;
  }

  /** A block sequence whose first dash is at the cursor, in column `col`. */
  private blockSeq(col: number): unknown[] {
    const seq: unknown[] = [];
    const mark = this.scratch.length;
    let colon: number;
    for (;;) {
      const dash = this.at;
      let q = dash + 1;
      while (q < this.len && this.code(q) === SPACE) q++;
      let item: unknown;
      if (this.isLineEnd(q) || (this.code(q) === HASH && q > dash + 1)) {
        item = this.valueAfter(dash + 1, col, false);
      } else if (this.isDash(q)) {
        this.at = q;
        item = this.blockSeq(q - this.lineStart);
        this.offset = q;
      } else if ((colon = this.tryKey(q)) >= 0) {
        this.at = q;
        item = this.blockMap(q - this.lineStart, colon);
        this.offset = q;
      } else {
        item = this.inlineValue(q, col);
      }
      seq.push(item);
      this.scratch.push2(this.offset, this.child);
      // A line in this column that is not a dash ends the sequence (it is the parent mapping's
      // next key when the sequence was written without indentation), or is an error upstream.
      if (this.indent !== col || !this.isDash(this.at)) break;
    }
    if (this.indent > col) this.refuse();
    this.child = this.flush(TAPE_SEQ, seq.length, mark);
    return seq;
  }

  /**
   * The value after a key's `:` or an item's `-` at `p`, in a collection at column `col`: on the
   * same line, or a block collection on the next lines, or empty (null).
   */
  private valueAfter(p: number, col: number, inMap: boolean): unknown {
    let q = p;
    while (q < this.len && this.code(q) === SPACE) q++;
    const c = this.code(q);
    if (!this.isLineEnd(q) && !(c === HASH && q > p)) return this.inlineValue(q, col);
    this.endLine(p);
    const offset = this.at;
    let value: unknown = null;
    let colon: number;
    if (this.indent > col && this.isDash(this.at)) value = this.blockSeq(this.indent);
    else if (this.indent > col && (colon = this.tryKey(this.at)) >= 0) value = this.blockMap(this.indent, colon);
    else if (this.indent > col) this.refuse();
    else if (inMap && this.indent === col && this.isDash(this.at)) value = this.blockSeq(col);
    else {
      this.child = -1;
      this.offset = UNKNOWN_OFFSET;
      return null;
    }
    this.offset = offset;
    return value;
  }

  /** A scalar or flow collection starting at `q` and ending its line, in a collection at column `col`. */
  private inlineValue(q: number, col: number): unknown {
    const c = this.code(q);
    let value: unknown;
    let end: number;
    this.child = -1;
    if (c === LBRACKET || c === LBRACE) {
      end = c === LBRACKET ? this.flowSeq(q) : this.flowMap(q);
      value = this.flowValue;
    } else if (c === SQUOTE || c === DQUOTE) {
      end = c === SQUOTE ? this.singleQuoted(q) : this.doubleQuoted(q);
      value = this.quotedValue;
    } else {
      end = this.blockPlainEnd(q);
      value = this.plainValue(q, end);
    }
    const child = this.child;
    this.endLine(end);
    // More-indented content after a one-line value is a continuation or an error: not ours.
    if (this.indent > col) this.refuse();
    this.child = child;
    this.offset = q;
    return value;
  }

  /**
   * The value of the plain scalar at [start, end). Licence types, profiles, vault ids and
   * company names repeat on every user: a small cache hands back the value read last time for
   * the same text, so a hundred thousand users do not hold a hundred thousand copies of
   * "full__v" (fewer strings to allocate and for the collector to move).
   */
  private plainValue(start: number, end: number): unknown {
    const length = end - start;
    if (length > VALUE_CACHE_MAX_LENGTH) return resolvePlain(this.src.slice(start, end));
    const slot = (this.code(start) * 31 + this.code(end - 1) + length * 7) & (KEY_CACHE_SIZE - 1);
    const cached = this.valueTexts[slot];
    if (cached !== undefined && cached.length === length && this.src.startsWith(cached, start)) return this.valueValues[slot];
    const text = this.src.slice(start, end);
    const value = resolvePlain(text);
    this.valueTexts[slot] = text;
    this.valueValues[slot] = value;
    return value;
  }

  /** End of a plain scalar in block context starting at `q`: before trailing spaces, a comment or the line end. */
  private blockPlainEnd(q: number): number {
    const c = this.code(q);
    if (isIndicator(c) || (c === DASH && this.isBlank(q + 1))) this.refuse();
    let j = q;
    for (; !this.isLineEnd(j); j++) {
      const d = this.code(j);
      if (d === HASH && this.code(j - 1) === SPACE) break;
      // `a: b: c` is a nested mapping on one line, an error for `yaml`.
      if (d === COLON && this.isBlank(j + 1)) this.refuse();
    }
    while (this.code(j - 1) === SPACE) j--;
    return j;
  }

  private quotedValue = '';
  private flowValue: unknown = undefined;

  /** A single-quoted scalar on one line starting at `q`; returns the offset after its closing quote. */
  private singleQuoted(q: number): number {
    let escaped = false;
    for (let j = q + 1; j < this.len; j++) {
      const d = this.code(j);
      if (d === LF || d === CR) this.refuse();
      if (d !== SQUOTE) continue;
      if (this.code(j + 1) === SQUOTE) {
        escaped = true;
        j++;
        continue;
      }
      const raw = this.src.slice(q + 1, j);
      this.quotedValue = escaped ? raw.replaceAll("''", "'") : raw;
      return j + 1;
    }
    return this.refuse();
  }

  /** A double-quoted scalar on one line without escapes starting at `q`; returns the offset after its closing quote. */
  private doubleQuoted(q: number): number {
    for (let j = q + 1; j < this.len; j++) {
      const d = this.code(j);
      if (d === LF || d === CR || d === BACKSLASH) this.refuse();
      if (d === DQUOTE) {
        this.quotedValue = this.src.slice(q + 1, j);
        return j + 1;
      }
    }
    return this.refuse();
  }

  private skipSpaces(i: number): number {
    let j = i;
    while (j < this.len && this.code(j) === SPACE) j++;
    return j;
  }

  /**
   * A node inside a flow collection at `i` (after spaces): nested collection, quoted or plain
   * scalar. Sets `flowValue`, `child` and returns the offset after it. `asKey` stops a plain
   * scalar at `: ` instead of giving up there.
   */
  private flowNode(i: number, asKey: boolean): number {
    const c = this.code(i);
    this.child = -1;
    if (c === LBRACKET) return this.flowSeq(i);
    if (c === LBRACE) return this.flowMap(i);
    if (c === SQUOTE || c === DQUOTE) {
      const end = c === SQUOTE ? this.singleQuoted(i) : this.doubleQuoted(i);
      this.flowValue = this.quotedValue;
      return end;
    }
    if (isIndicator(c) || (c === DASH && (this.isBlank(i + 1) || isFlowIndicator(this.code(i + 1))))) this.refuse();
    for (let j = i; ; j++) {
      if (this.isLineEnd(j)) this.refuse();
      const d = this.code(j);
      const next = this.code(j + 1);
      const stops = isFlowIndicator(d) || (d === COLON && (next === SPACE || isFlowIndicator(next) || this.isLineEnd(j + 1)));
      if (d === HASH && this.code(j - 1) === SPACE) this.refuse();
      if (!stops) continue;
      if (d === LBRACKET || d === LBRACE || (d === COLON && !asKey)) this.refuse();
      const text = this.src.slice(i, j).trimEnd();
      this.flowValue = resolvePlain(text);
      if (asKey) this.key = text;
      return j;
    }
  }

  /** A flow sequence on one line starting at `q` (its `[`); returns the offset after its `]`. */
  private flowSeq(q: number): number {
    const seq: unknown[] = [];
    const mark = this.scratch.length;
    let i = this.skipSpaces(q + 1);
    if (this.code(i) !== RBRACKET) {
      for (;;) {
        const itemAt = i;
        i = this.skipSpaces(this.flowNode(i, false));
        seq.push(this.flowValue);
        this.scratch.push2(itemAt, this.child);
        if (this.code(i) === RBRACKET) break;
        if (this.code(i) !== COMMA) this.refuse();
        i = this.skipSpaces(i + 1);
        if (this.code(i) === RBRACKET || this.code(i) === COMMA) this.refuse();
      }
    }
    this.child = this.flush(TAPE_SEQ, seq.length, mark);
    this.flowValue = seq;
    return i + 1;
  }

  /** A flow mapping on one line starting at `q` (its `{`); returns the offset after its `}`. */
  private flowMap(q: number): number {
    const map: Record<string, unknown> = {};
    const mark = this.scratch.length;
    let count = 0;
    let i = this.skipSpaces(q + 1);
    if (this.code(i) !== RBRACE) {
      for (;;) {
        const keyAt = i;
        const keyEnd = this.flowNode(i, true);
        if (this.child !== -1 || typeof this.flowValue !== 'string') this.refuse();
        const quoted = this.code(keyAt) === SQUOTE || this.code(keyAt) === DQUOTE;
        const key = quoted ? this.quotedValue : this.key;
        this.checkKey(key, keyEnd - keyAt);
        if (Object.hasOwn(map, key)) this.refuse();
        const colon = quoted ? keyEnd : this.skipSpaces(keyEnd);
        if (this.code(colon) !== COLON || this.code(colon + 1) !== SPACE) this.refuse();
        const valueAt = this.skipSpaces(colon + 1);
        if (isFlowIndicator(this.code(valueAt)) && this.code(valueAt) !== LBRACKET && this.code(valueAt) !== LBRACE) this.refuse();
        i = this.skipSpaces(this.flowNode(valueAt, false));
        map[key] = this.flowValue;
        this.scratch.push3(keyAt, valueAt, this.child);
        count++;
        if (this.code(i) === RBRACE) break;
        if (this.code(i) !== COMMA) this.refuse();
        i = this.skipSpaces(i + 1);
        if (this.code(i) === RBRACE || this.code(i) === COMMA) this.refuse();
      }
    }
    this.child = this.flush(TAPE_MAP, count, mark);
    this.flowValue = map;
    return i + 1;
  }

  /** Moves a closed collection's entries from the scratch stack to the tape; returns its record's index. */
  private flush(kind: number, count: number, mark: number): number {
    const index = this.tape.length;
    const size = this.scratch.length - mark;
    this.tape.reserve(size + 2);
    const tape = this.tape.data;
    const scratch = this.scratch.data;
    tape[index] = kind;
    tape[index + 1] = count;
    // A plain loop: collections are small, and a subarray view per collection is garbage to collect.
    for (let k = 0; k < size; k++) tape[index + 2 + k] = scratch[mark + k] ?? 0;
    this.tape.length = index + 2 + size;
    this.scratch.length = mark;
    return index;
  }
}

/** The document when `text` is inside the subset and its top level is a mapping; otherwise undefined. */
export function parseSubset(text: string): SubsetDocument | undefined {
  try {
    return new SubsetReader(text).read();
  } catch (error) {
    if (error instanceof OutsideSubset) return undefined;
    // A stack overflow on absurd nesting is also "not ours": the full parser reports it properly.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}
