/**
 * Step one of validation: the file's shape against its JSON Schema, with each ajv error turned
 * into a diagnostic at the offending key or value.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../diagnostics.js';
import { TIMEBOX_PLACES } from '../model.js';
import { closestMatch as uncachedClosestMatch } from './did-you-mean.js';
import { LIST_OF_KIND, itemValidatorFor, validatorFor, type FileKind } from './schemas.js';
import type { DataPath, YamlFile } from './yaml-file.js';

/**
 * Suggestions, remembered for the run: a mistake copied into every user (the same misspelt key
 * a hundred thousand times) costs one edit-distance search, not one per user.
 */
const suggestions = new Map<string, string | undefined>();

function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  const key = `${input}\u0000${candidates.join('\u0000')}`;
  if (suggestions.has(key)) return suggestions.get(key);
  const found = uncachedClosestMatch(input, candidates);
  if (suggestions.size < 10_000) suggestions.set(key, found);
  return found;
}

function parsePointer(pointer: string): DataPath {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `users[2].memberships[0].vault`, or "the top level". */
export function describePath(path: DataPath): string {
  if (path.length === 0) return 'the top level';
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

function expectedType(type: unknown): string {
  const names: Record<string, string> = {
    string: 'text',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    object: 'a mapping (key: value)',
    array: 'a list',
    null: 'null',
  };
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function descriptionOf(schema: unknown): string | undefined {
  if (typeof schema === 'object' && schema !== null && 'description' in schema && typeof schema.description === 'string') {
    return schema.description;
  }
  return undefined;
}

function typeHint(error: ErrorObject): string {
  const value: unknown = error.data;
  const type: unknown = error.params.type;
  if (type === 'boolean' && typeof value === 'string') return 'Write true or false without quotes (YAML 1.2 reads yes/no/on/off as text).';
  if ((type === 'integer' || type === 'number') && typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
    return 'Write the number without quotes.';
  }
  if (type === 'array' && value !== null && typeof value === 'object') return 'Start each list item with "- ".';
  if (type === 'object' && Array.isArray(value)) return 'Remove the "- " in front: this is one mapping, not a list.';
  return descriptionOf(error.parentSchema) ?? `Use ${expectedType(type)}.`;
}

/** Allowed values collected from an enum or the enums of an anyOf's branches. */
function allowedValues(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as { enum?: unknown[]; anyOf?: unknown[] };
  const own = (s.enum ?? []).map(String);
  return [...own, ...(s.anyOf ?? []).flatMap(allowedValues)];
}

function valueHint(error: ErrorObject, allowed: readonly string[]): string {
  const suggestion = typeof error.data === 'string' ? closestMatch(error.data, allowed) : undefined;
  const description = descriptionOf(error.parentSchema);
  if (suggestion !== undefined) return `Did you mean "${suggestion}"?`;
  if (error.keyword === 'enum' && allowed.length > 0) return `Use one of: ${allowed.join(', ')}.`;
  return description ?? `The value ${error.message ?? 'is invalid'}.`;
}

/** The keys of a time box: misplaced, they get a hint naming where time boxes may go. */
const TIMEBOX_KEYS: ReadonlySet<string> = new Set(['valid_from', 'valid_until', 'reason']);

function grantNotAllowed(what: string, where: string, position: Diagnostic['position']): Diagnostic {
  return {
    severity: 'error',
    code: 'grant-not-allowed',
    summary: `${what} is not allowed in ${where}, which cannot be time-boxed`,
    hint: `Time boxes (valid_from, valid_until, reason) are allowed only on ${TIMEBOX_PLACES}. Move it to one of these, or remove it.`,
    ...(position === undefined ? {} : { position }),
  };
}

function toDiagnostic(error: ErrorObject, yaml: YamlFile): Diagnostic {
  const path = parsePointer(error.instancePath);
  const where = describePath(path);
  const at = (p: DataPath, target: 'key' | 'value') => yaml.locate(p, target);
  // `apps: { rimReg_v: full__v, valid_until: … }` reads valid_until as an app code: say where it goes.
  const last = path[path.length - 1];
  if (typeof last === 'string' && TIMEBOX_KEYS.has(last) && path[path.length - 2] === 'apps') {
    return { ...grantNotAllowed(`"${last}"`, describePath(path.slice(0, -1)), at(path, 'key')), hint: `In apps:, a time box goes inside one application's object form: rimReg_v: { license_type: full__v, ${last}: … }.` };
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      if (TIMEBOX_KEYS.has(key)) return grantNotAllowed(`"${key}"`, where, at([...path, key], 'key'));
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = closestMatch(key, known);
      return {
        severity: 'error',
        code: 'unknown-key',
        summary: `unknown key "${key}" in ${where}`,
        hint: suggestion !== undefined ? `Did you mean "${suggestion}"?` : `Allowed keys here: ${known.join(', ')}.`,
        position: at([...path, key], 'key'),
      };
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      const schema = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties?.[key];
      return {
        severity: 'error',
        code: 'missing-key',
        summary: `missing required key "${key}" in ${where}`,
        hint: `Add "${key}:"${descriptionOf(schema) === undefined ? '.' : ` (${descriptionOf(schema) ?? ''})`}`,
        position: at(path, 'value'),
      };
    }
    case 'type':
      if (isRecord(error.data) && Object.keys(error.data).some((k) => TIMEBOX_KEYS.has(k))) return grantNotAllowed('a time box', where, at(path, 'value'));
      return {
        severity: 'error',
        code: 'wrong-type',
        summary: `${where} must be ${expectedType(error.params.type)}, not ${kindOf(error.data)}`,
        hint: typeHint(error),
        position: at(path, 'value'),
      };
    case 'propertyNames': {
      const key = String(error.params.propertyName);
      return {
        severity: 'error',
        code: 'invalid-key',
        summary: `"${key}" is not a valid name in ${where}`,
        hint: `Rename it to match ${(error.parentSchema as { propertyNames?: { pattern?: string } } | undefined)?.propertyNames?.pattern ?? 'the allowed form'}.`,
        position: at([...path, key], 'key'),
      };
    }
    case 'uniqueItems': {
      // Point at the later of the two equal items: the earlier one is the one to keep.
      const later = Math.max(Number(error.params.i), Number(error.params.j));
      return {
        severity: 'error',
        code: 'duplicate-item',
        summary: `${where} lists ${show((error.data as unknown[])[later])} twice`,
        hint: 'Remove the repeated item.',
        position: at([...path, later], 'key'),
      };
    }
    default: {
      const allowed = allowedValues(error.parentSchema);
      return {
        severity: 'error',
        code: 'invalid-value',
        summary: `"${show(error.data)}" is not a valid value for ${where}${error.keyword === 'pattern' || error.keyword === 'anyOf' || error.keyword === 'enum' ? '' : ` (${error.message ?? 'invalid'})`}`,
        hint: valueHint(error, allowed),
        position: at(path, 'value'),
      };
    }
  }
}

/**
 * Drops errors that a clearer one already covers: the branches of a failed anyOf, propertyNames
 * internals. Failed anyOfs are grouped by instance path, so a file with many errors stays linear.
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOfFailures = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf') continue;
    const same = anyOfFailures.get(e.instancePath);
    if (same === undefined) anyOfFailures.set(e.instancePath, [e]);
    else same.push(e);
  }
  return errors.filter((e) => {
    // An if/then/else (a short or an object form) fails through its branch, which says why.
    if (e.propertyName !== undefined || e.keyword === 'if') return false;
    const covering = anyOfFailures.get(e.instancePath) ?? [];
    return !covering.some((a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`));
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Schema errors of a file. A users or SiteVault file is checked as its envelope (the list
 * emptied) plus each item on its own, with the item's errors moved under its path: ajv gathers
 * the errors of a list's items by concatenating each failing item's onto all earlier ones,
 * which takes minutes on a file where every one of 100,000 users has the same mistake.
 */
function schemaErrors(data: unknown, kind: FileKind): ErrorObject[] {
  const validate = validatorFor(kind);
  const list = LIST_OF_KIND[kind];
  const record = isRecord(data) ? data : undefined;
  const items = list === undefined ? undefined : record?.[list.key];
  const validateItem = itemValidatorFor(kind);
  if (list === undefined || record === undefined || validateItem === undefined || !Array.isArray(items)) return validate(data) ? [] : [...(validate.errors ?? [])];
  const errors: ErrorObject[] = validate({ ...record, [list.key]: [] }) ? [] : [...(validate.errors ?? [])];
  for (let i = 0; i < items.length; i++) {
    if (validateItem(items[i])) continue;
    for (const e of validateItem.errors ?? []) errors.push({ ...e, instancePath: `/${list.key}/${i}${e.instancePath}` });
  }
  return errors;
}

/** Validates a parsed file against the schema of its kind; an empty list means the shape is right. */
export function checkShape(yaml: YamlFile, kind: FileKind): Diagnostic[] {
  return checkShapeOfItems(yaml, kind).diagnostics;
}

/**
 * Like checkShape, and also which items of a users / SiteVault list passed their own schema
 * when the file's envelope did (undefined otherwise): the rules can still check those, so one
 * run reports every problem, not only the first file's.
 */
export function checkShapeOfItems(yaml: YamlFile, kind: FileKind): { diagnostics: Diagnostic[]; validItems?: readonly number[] } {
  const errors = schemaErrors(yaml.data, kind);
  if (errors.length === 0) return { diagnostics: [] };
  const list = LIST_OF_KIND[kind];
  const items: unknown = list === undefined || !isRecord(yaml.data) ? undefined : yaml.data[list.key];
  let validItems: number[] | undefined;
  if (list !== undefined && Array.isArray(items)) {
    const prefix = `/${list.key}/`;
    const failing = new Set<number>();
    let envelope = false;
    for (const e of errors) {
      if (!e.instancePath.startsWith(prefix)) envelope = true;
      else failing.add(Number(e.instancePath.slice(prefix.length).split('/')[0]));
    }
    if (!envelope) validItems = items.map((_, i) => i).filter((i) => !failing.has(i));
  }
  return { diagnostics: shapeDiagnostics(errors, yaml), ...(validItems === undefined ? {} : { validItems }) };
}

function shapeDiagnostics(errors: readonly ErrorObject[], yaml: YamlFile): Diagnostic[] {
  const seen = new Set<string>();
  return relevantErrors(errors)
    .map((e) => toDiagnostic(e, yaml))
    .filter((d) => {
      const key = `${d.code}|${d.position?.line ?? 0}|${d.position?.col ?? 0}|${d.summary}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
