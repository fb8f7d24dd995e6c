/**
 * Pure text helpers for comment and issue bodies: the hidden marker, the size limit, and code
 * fences that survive any content. No I/O here, so tests can call these directly.
 */

/** GitHub refuses comment and issue bodies over 65,536 characters. */
export const GITHUB_BODY_LIMIT = 65_536;
/** What we aim for: a margin under the limit in case GitHub counts some characters differently. */
export const DEFAULT_BODY_BUDGET = 65_000;

export const TRUNCATION_NOTICE =
  '> [!WARNING]\n> This text was cut to fit GitHub\'s 65,536-character limit. The full plan is in the workflow artifact.';

/** Puts `marker` on the first line unless the body already starts with it. */
export function withMarker(body, marker) {
  const text = body.replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith(marker)) return text;
  return `${marker}\n${text}`;
}

/** True when `body` starts (after leading whitespace) with `marker`. */
export function hasMarker(body, marker) {
  return typeof body === 'string' && body.trimStart().startsWith(marker);
}

function cutAt(text, length) {
  let cut = text.slice(0, Math.max(0, length));
  // Never leave half of a surrogate pair at the end.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

/** Closes what a cut left open (a code fence, <details> blocks) so the notice renders as text. */
function closeOpenBlocks(text) {
  let out = text;
  let fence;
  for (const line of out.split('\n')) {
    const match = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (match === null) continue;
    if (fence === undefined) fence = match[1];
    else if (match[1][0] === fence[0] && match[1].length >= fence.length) fence = undefined;
  }
  if (fence !== undefined) out += `\n${fence}`;
  const opened = (out.match(/<details[\s>]/g) ?? []).length;
  const closed = (out.match(/<\/details>/g) ?? []).length;
  for (let i = closed; i < opened; i += 1) out += '\n</details>';
  return out;
}

/**
 * Fits `body` plus an optional `footer` within `budget` characters. A long body is cut at a line
 * end, open blocks are closed, and a visible notice says so; the footer is always kept.
 */
export function fitBody(body, { footer = '', budget = DEFAULT_BODY_BUDGET, notice = TRUNCATION_NOTICE } = {}) {
  const tail = footer === '' ? '' : `\n\n${footer}`;
  if (body.length + tail.length <= budget) return body + tail;
  // Room for the notice, the closing of blocks (fence + a few </details>), and the footer.
  const room = budget - tail.length - notice.length - 200;
  if (room <= 0) throw new RangeError(`budget ${budget} leaves no room for the body`);
  let cut = cutAt(body, room);
  const lineEnd = cut.lastIndexOf('\n');
  if (lineEnd > room / 2) cut = cut.slice(0, lineEnd);
  let closed = closeOpenBlocks(cut);
  // Closing many nested blocks could in theory overrun the reserve; trim until it fits.
  while (closed.length + notice.length + tail.length + 2 > budget) {
    cut = cutAt(cut, cut.length - 100);
    closed = closeOpenBlocks(cut);
  }
  return `${closed}\n\n${notice}${tail}`;
}

/** A code fence longer than any backtick run inside `text`, so the text cannot close it. */
export function fenceFor(text) {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Removes ANSI colour and cursor sequences from captured terminal output. */
export function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '');
}
