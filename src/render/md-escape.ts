/**
 * Markdown that no value can break out of. Values come from YAML and from Vault (user names,
 * field values, reasons), so any of them may hold a backtick, a `|`, HTML or a newline.
 * - `code(value)`: a plain value becomes a backtick code span; anything else becomes
 *   `<code>` with every ASCII punctuation character written as an entity, so neither Markdown
 *   nor HTML nor a table row can see it. Control characters read `\n`, `\t`, `\u0007`.
 * - `prose(text)`: free text (a diagnostic summary, a table cell) that must stay on its line
 *   and show literally: no HTML, no `|`, no code span or emphasis from the value.
 */

/** Characters that are literal inside a backtick code span, in and out of tables. */
const PLAIN = /^[A-Za-z0-9 ._@:/+›→,()[\]"'=#~!?%{}*^$;&-]+$/u;

function visibleControl(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Control characters (and the line and paragraph separators) as escapes a reader can see. */
export function showControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, visibleControl);
}

/** Every ASCII punctuation character as a numeric entity: inert in Markdown, HTML and tables. */
function entities(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Recent `code()` results: plans repeat the same profiles and labels thousands of times. */
const codeCache = new Map<string, string>();
const CODE_CACHE_MAX = 10_000;

/** A value as inline code that nothing in it can end early. */
export function code(value: string): string {
  const cached = codeCache.get(value);
  if (cached !== undefined) return cached;
  const out = codeSpan(value);
  if (codeCache.size >= CODE_CACHE_MAX) codeCache.clear();
  codeCache.set(value, out);
  return out;
}

function codeSpan(value: string): string {
  const shown = showControls(value);
  // A leading and trailing space would be trimmed by the code span: those go the HTML way too.
  if (PLAIN.test(shown) && !(shown.startsWith(' ') && shown.endsWith(' '))) return `\`${shown}\``;
  return `<code>${entities(shown)}</code>`;
}

/** Free text on one line: no HTML, no code span or emphasis from the value. */
export function prose(text: string): string {
  return showControls(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[`*[\]|\\]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Text inside an HTML element (a `<summary>`): no tags. */
export function html(text: string): string {
  return showControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link target: an http(s) URL with every character that could end the link encoded. */
export function linkTarget(url: string): string {
  return new URL(url).href.replace(/[()<>\s"'`|\\]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
