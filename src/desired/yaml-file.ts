/**
 * YAML text → plain data plus a way back from a data path to `line:col`.
 *
 * Parsing keeps the document's node ranges so every later diagnostic (schema or rule) can point
 * at the offending key or value. Alias expansion is bounded so a hostile file cannot exhaust memory.
 */
import { Document, LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Node, type YAMLError } from 'yaml';
import type { Diagnostic, SourcePosition, DiagnosticCode } from '../diagnostics.js';

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
}

/** `diagnostics` of an ok result holds warnings only. */
export type ParseResult = { ok: true; yaml: YamlFile; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

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
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  locate(path: DataPath, target: 'key' | 'value' = 'key'): SourcePosition {
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

  topLevelKeys(): { key: string; position: SourcePosition }[] {
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
