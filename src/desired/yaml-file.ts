/**
 * YAML text → plain data plus a way back from a data path to `line:col`.
 *
 * Two readers, one answer. A file written in the plain subset of YAML (yaml-subset.ts) is read by
 * the fast subset reader, which records the source offsets of keys, values and items as it goes.
 * Any other file, and every file with a problem, goes to the `yaml` package, whose document keeps
 * node ranges for every diagnostic and whose errors become diagnostics here. The subset reader
 * agrees with `yaml` on data and positions for every file it accepts (tested differentially), so
 * which reader ran never shows. Alias expansion is bounded so a hostile file cannot exhaust memory.
 */
import { createRequire } from 'node:module';
import type * as YamlPackage from 'yaml';
import type { Document, LineCounter, Node, YAMLError } from 'yaml';
import type { Diagnostic, DiagnosticCode, SourcePosition } from '../diagnostics.js';
import { TAPE_MAP, UNKNOWN_OFFSET, parseSubset, type SubsetDocument } from './yaml-subset.js';

/** Segments of a path into the data: mapping keys and sequence indexes. */
export type DataPath = readonly (string | number)[];

/** A parsed file: its data and a locator for positions inside it. */
export interface YamlFile {
  /** Path shown in diagnostics. */
  readonly file: string;
  readonly data: unknown;
  /** Position of the key at `path` (for a sequence item: the item), or of the value with `'value'`. */
  locate(path: DataPath, target?: 'key' | 'value'): SourcePosition;
  /** Top-level mapping keys in order, with their positions. */
  topLevelKeys(): { key: string; position: SourcePosition }[];
  /**
   * True when no string in the data can hold a control character or a character of `pattern`.
   * Only a file the subset reader took can say so: it refuses control characters anywhere in the
   * text and takes no escapes, so its strings hold only characters the text shows. Any other file
   * answers false (an escape such as "\u200b" makes a character the text does not show).
   */
  valuesFreeOf(pattern: RegExp): boolean;
}

/** `diagnostics` of an ok result holds warnings only. */
export type ParseResult = { ok: true; yaml: YamlFile; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

let yamlPackage: typeof YamlPackage | undefined;

/**
 * The `yaml` package, loaded on first need: most runs read only subset files and never need it,
 * and loading it costs about 0.1 s at every start. Its Node entry point is CommonJS.
 */
function yamlLib(): typeof YamlPackage {
  yamlPackage ??= createRequire(import.meta.url)('yaml') as typeof YamlPackage;
  return yamlPackage;
}

/** Expansion budget handed to the yaml library; aliases beyond it are refused. */
const MAX_ALIAS_COUNT = 100;
/** One broken bracket can cascade; past this the rest is noise. */
const MAX_SYNTAX_ERRORS_PER_FILE = 20;

const ERROR_CODES: Readonly<Record<string, { code: DiagnosticCode; hint: string }>> = {
  TAB_AS_INDENT: { code: 'yaml-tab-indent', hint: 'Indent with spaces: YAML does not allow tabs in indentation.' },
  DUPLICATE_KEY: { code: 'yaml-duplicate-key', hint: 'Keep one of the two keys: YAML mappings cannot repeat a key.' },
  MULTIPLE_DOCS: { code: 'yaml-multiple-documents', hint: 'Keep one YAML document per file: remove the --- separator or split the file.' },
  TAG_RESOLVE_FAILED: { code: 'yaml-unknown-tag', hint: 'Remove the !tag: vault-roster files use plain YAML values.' },
};

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

class LocatedYaml implements YamlFile {
  constructor(
    readonly file: string,
    readonly data: unknown,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  private start(node: unknown): number | undefined {
    if (node !== null && typeof node === 'object' && 'range' in node) {
      const range = (node as Node).range;
      if (range) return range[0];
    }
    return undefined;
  }

  private resolve(node: unknown): unknown {
    return yamlLib().isAlias(node) ? node.resolve(this.doc) : node;
  }

  locate(path: DataPath, target: 'key' | 'value' = 'key'): SourcePosition {
    const { isMap, isScalar, isSeq } = yamlLib();
    let node: unknown = this.doc.contents;
    let best = this.start(node) ?? 0;
    for (const segment of path) {
      node = this.resolve(node);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) break;
        const keyStart = this.start(pair.key);
        const valueStart = this.start(pair.value);
        best = (target === 'value' && segment === path[path.length - 1] ? valueStart : keyStart) ?? keyStart ?? best;
        node = pair.value;
      } else if (isSeq(node)) {
        const item: unknown = node.items[Number(segment)];
        if (item === undefined) break;
        best = this.start(item) ?? best;
        node = item;
      } else {
        break;
      }
    }
    return this.at(best);
  }

  valuesFreeOf(): boolean {
    return false;
  }

  topLevelKeys(): { key: string; position: SourcePosition }[] {
    const { isMap, isPair, isScalar } = yamlLib();
    const root = this.doc.contents;
    if (!isMap(root)) return [];
    return root.items.flatMap((pair) =>
      isPair(pair) && isScalar(pair.key) ? [{ key: String(pair.key.value), position: this.at(this.start(pair.key) ?? 0) }] : [],
    );
  }
}

function fromYamlError(file: string, error: YAMLError, severity: 'error' | 'warning'): Diagnostic {
  const known = ERROR_CODES[error.code];
  const where = error.linePos?.[0] ?? { line: 1, col: 1 };
  return {
    severity: known === undefined ? severity : 'error',
    code: known?.code ?? (severity === 'error' ? 'yaml-syntax' : 'yaml-warning'),
    summary: firstLine(error.message),
    hint: known?.hint ?? 'Fix the YAML near this position: check indentation, quotes, brackets and the "key: value" form.',
    position: { file, line: where.line, col: where.col },
  };
}

/** Parses `text` (already free of a byte order mark) as one YAML document. */
export function parseYamlFile(text: string, file: string): ParseResult {
  const subset = parseSubset(text);
  if (subset !== undefined) return { ok: true, yaml: new SubsetYaml(file, text, subset), diagnostics: [] };
  return parseFullYaml(text, file);
}

/** Parses `text` with the `yaml` package: any YAML, every problem as a diagnostic. */
export function parseFullYaml(text: string, file: string): ParseResult {
  const { LineCounter, isScalar, parseDocument, visit } = yamlLib();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const problems = [
    ...doc.errors.slice(0, MAX_SYNTAX_ERRORS_PER_FILE).map((e) => fromYamlError(file, e, 'error')),
    ...doc.warnings.map((w) => fromYamlError(file, w, 'warning')),
  ];
  if (problems.some((d) => d.severity === 'error')) return { ok: false, diagnostics: problems };

  const located = new LocatedYaml(file, undefined, doc, lines);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return {
      ok: false,
      diagnostics: [
        ...problems,
        {
          severity: 'error',
          code: 'empty-file',
          summary: `${file} is empty`,
          hint: 'Add content (e.g. "users: []") or remove the file from the include globs.',
          position: { file, line: 1, col: 1 },
        },
      ],
    };
  }

  let firstAlias: number | undefined;
  const undefinedAliases: Diagnostic[] = [];
  visit(doc, {
    Alias(_key, alias) {
      const start = alias.range?.[0] ?? 0;
      firstAlias ??= start;
      if (alias.resolve(doc) === undefined) {
        undefinedAliases.push({
          severity: 'error',
          code: 'yaml-undefined-alias',
          summary: `alias *${alias.source} refers to no anchor defined before it`,
          hint: `Define &${alias.source} earlier in the file, or write the value out.`,
          position: located.at(start),
        });
      }
    },
  });
  if (undefinedAliases.length > 0) return { ok: false, diagnostics: [...problems, ...undefinedAliases] };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml library throws a ReferenceError once alias expansion passes the budget.
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      diagnostics: [
        ...problems,
        {
          severity: 'error',
          code: 'yaml-alias-limit',
          summary: `aliases expand to too much data, refused (${message})`,
          hint: 'Write the values out instead of nesting anchors and aliases.',
          position: located.at(firstAlias ?? 0),
        },
      ],
    };
  }
  return { ok: true, yaml: new LocatedYaml(file, data, doc, lines), diagnostics: problems };
}

/** Start offset of every line, for turning an offset into `line:col` the way yaml's LineCounter does. */
function lineStarts(text: string): Int32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Int32Array(count);
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[line++] = i + 1;
  return starts;
}

/**
 * A file the subset reader accepted. Positions come from the reader's tape; the few it does not
 * record (an empty value) come from the full parser, run on first need.
 */
class SubsetYaml implements YamlFile {
  private starts: Int32Array | undefined;
  private fullYaml: YamlFile | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly doc: SubsetDocument,
  ) {}

  get data(): unknown {
    return this.doc.data;
  }

  private at(offset: number): SourcePosition {
    this.starts ??= lineStarts(this.text);
    const starts = this.starts;
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (offset < (starts[mid] ?? 0)) high = mid;
      else low = mid + 1;
    }
    return { file: this.file, line: low, col: offset - (starts[low - 1] ?? 0) + 1 };
  }

  /** The full parser's view, for positions the tape does not hold. */
  private full(): YamlFile | undefined {
    if (this.fullYaml === undefined) {
      const parsed = parseFullYaml(this.text, this.file);
      if (parsed.ok) this.fullYaml = parsed.yaml;
    }
    return this.fullYaml;
  }

  /**
   * The last list item walked to (e.g. users[41]): rules ask several positions inside one user
   * in a row, and each walk can start there.
   */
  private item: { key: string; index: number; data: unknown; record: number; offset: number } | undefined;

  /** Mirrors LocatedYaml.locate step by step, reading offsets from the tape instead of nodes. */
  locate(path: DataPath, target: 'key' | 'value' = 'key'): SourcePosition {
    const tape = this.doc.tape;
    const last = path[path.length - 1];
    let data: unknown = this.doc.data;
    let record = this.doc.root;
    let best = this.doc.rootOffset;
    let start = 0;
    const cached = this.item;
    // A cached item stands for the first two steps when both are plain lookups ending on it.
    if (cached !== undefined && path.length > 2 && path[0] === cached.key && path[1] === cached.index && last !== cached.key) {
      ({ data, record, offset: best } = cached);
      start = 2;
    }
    for (let step = start; step < path.length; step++) {
      const segment = path[step];
      if (step === 2 && start === 0) this.remember(path, data, record, best);
      if (record < 0) break;
      let offset: number;
      if (tape[record] === TAPE_MAP) {
        const index = keyIndex(data as Record<string, unknown>, String(segment));
        if (index < 0) break;
        const entry = record + 2 + index * 3;
        offset = target === 'value' && segment === last ? (tape[entry + 1] ?? UNKNOWN_OFFSET) : (tape[entry] ?? UNKNOWN_OFFSET);
        data = (data as Record<string, unknown>)[String(segment)];
        record = tape[entry + 2] ?? -1;
      } else {
        const items = data as unknown[];
        const index = Number(segment);
        if (items[index] === undefined) break;
        const entry = record + 2 + (index === 0 ? 0 : index) * 2;
        offset = tape[entry] ?? UNKNOWN_OFFSET;
        data = items[index];
        record = tape[entry + 1] ?? -1;
      }
      if (offset === UNKNOWN_OFFSET) {
        // Only an empty value lacks an offset; the full parser knows where yaml puts it. Should
        // the full parser disagree that the file is valid (a bug), the enclosing node is close.
        return this.full()?.locate(path, target) ?? this.at(best);
      }
      best = offset;
    }
    return this.at(best);
  }

  /** Remembers where the walk of `path[0]`, `path[1]` ended, when that is an item of a top-level list. */
  private remember(path: DataPath, data: unknown, record: number, offset: number): void {
    const [key, index] = path;
    if (typeof key !== 'string' || typeof index !== 'number' || !Array.isArray(this.doc.data[key])) return;
    this.item = { key, index, data, record, offset };
  }

  /** Answers by pattern, once per file (the rules ask for every user). */
  private readonly free = new Map<RegExp, boolean>();

  valuesFreeOf(pattern: RegExp): boolean {
    let free = this.free.get(pattern);
    if (free === undefined) {
      free = !pattern.test(this.text);
      this.free.set(pattern, free);
    }
    return free;
  }

  topLevelKeys(): { key: string; position: SourcePosition }[] {
    const tape = this.doc.tape;
    const keys: { key: string; position: SourcePosition }[] = [];
    let index = 0;
    for (const key in this.doc.data) {
      keys.push({ key, position: this.at(tape[this.doc.root + 2 + index * 3] ?? 0) });
      index++;
    }
    return keys;
  }
}

/** Position of `key` among a mapping's keys (insertion order: the subset reader admits no index-like keys). */
function keyIndex(map: Record<string, unknown>, key: string): number {
  let index = 0;
  for (const name in map) {
    if (name === key) return index;
    index++;
  }
  return -1;
}
