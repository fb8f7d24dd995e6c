/**
 * Writing import's YAML: plain data (mappings, lists, text, numbers, booleans) as block YAML in
 * the style `yaml`'s stringify used (two-space indent, list items indented under their key,
 * mappings in a list item starting on the dash line), in linear time.
 *
 * Text is written plain only when the desired-state loader reads it back as the same text (no
 * indicator first, no `:` or `#`, no control characters, not null/boolean/number-like);
 * otherwise as a JSON string, which is a valid YAML double-quoted scalar. A property test reads
 * every emitted document back with both YAML readers.
 */
import { resolvePlain } from '../desired/yaml-subset.js';

export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

/** Characters that make a plain scalar unsafe anywhere in it (or that we choose never to write plain). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be quoted
const UNSAFE_ANYWHERE = /[:#\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
/** YAML indicators (and `-`, `?`, space) that may not start a plain scalar. */
const UNSAFE_FIRST = /^[-?:,[\]{}#&*!|>'"%@` ]/;

/** `text` as a YAML scalar that reads back as exactly `text`. */
export function yamlString(text: string): string {
  const plain = text !== '' && !UNSAFE_FIRST.test(text) && !text.endsWith(' ') && !UNSAFE_ANYWHERE.test(text) && resolvePlain(text) === text;
  return plain ? text : JSON.stringify(text);
}

function scalar(value: string | number | boolean | null): string {
  if (typeof value === 'string') return yamlString(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return Object.is(value, -0) ? '-0' : String(value);
  }
  return value === null ? 'null' : String(value);
}

function isMapping(value: YamlValue): value is { readonly [key: string]: YamlValue | undefined } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmpty(value: YamlValue): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return isMapping(value) && Object.values(value).every((v) => v === undefined);
}

/** A value that fits after `key: ` or `- `: a scalar, `[]` or `{}`. */
function inline(value: YamlValue): string {
  if (Array.isArray(value)) return '[]';
  if (isMapping(value)) return '{}';
  return scalar(value as string | number | boolean | null);
}

/** Appends a mapping's entries; the first line starts with `first` instead of the indent (for `- `). */
function mappingLines(map: { readonly [key: string]: YamlValue | undefined }, indent: string, first: string, out: string[]): void {
  let prefix = first;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    const head = `${prefix}${yamlString(key)}:`;
    prefix = indent;
    if (isEmpty(value) || !(Array.isArray(value) || isMapping(value))) {
      out.push(`${head} ${inline(value)}\n`);
    } else {
      out.push(`${head}\n`);
      valueLines(value, `${indent}  `, `${indent}  `, out);
    }
  }
}

function sequenceLines(items: readonly YamlValue[], indent: string, first: string, out: string[]): void {
  let prefix = first;
  for (const item of items) {
    if (isEmpty(item) || !(Array.isArray(item) || isMapping(item))) out.push(`${prefix}- ${inline(item)}\n`);
    else valueLines(item, `${indent}  `, `${prefix}- `, out);
    prefix = indent;
  }
}

/** A non-empty mapping or list in block style. */
function valueLines(value: YamlValue, indent: string, first: string, out: string[]): void {
  if (Array.isArray(value)) sequenceLines(value, indent, first, out);
  else if (isMapping(value)) mappingLines(value, indent, first, out);
}

/** A whole document whose top level is a mapping. */
export function emitYaml(document: { readonly [key: string]: YamlValue | undefined }): string {
  const out: string[] = [];
  mappingLines(document, '', '', out);
  return out.join('');
}

/** One item of a top-level list (`  - …` lines), for documents written a piece at a time. */
export function emitListItem(item: YamlValue): string {
  const out: string[] = [];
  sequenceLines([item], '  ', '  ', out);
  return out.join('');
}
