/**
 * The periodic access review (`vault-roster review`): a report of who has which access, per vault
 * and per owner, with the flags a reviewer decides on, and the `stamp` edit that records a
 * "keep". Builds on the planner (DRIFTED = the plan would change the user) and never writes to
 * Vault; the only files it writes are its reports and, for `stamp`, the users files.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import type { DesiredState, DesiredUser, LiveState } from '../model.js';
import { createPlan, type Baseline } from '../plan/index.js';
import type { ReviewConfig } from './config.js';
import { lastMatch } from './patterns.js';
import { buildReview } from './rows.js';
import type { Review } from './types.js';

export { readReviewConfig, readReviewSettings, DEFAULT_DORMANT_DAYS, DEFAULT_INTERVAL_DAYS, DEFAULT_ORPHAN_OWNER, CODEOWNERS_PLACES, type ReviewConfig } from './config.js';
export { buildReview, filterReview, type ReviewInput } from './rows.js';
export { renderReviewCsv, csvCell, CSV_COLUMNS } from './csv.js';
export { renderOwnerMarkdown, renderReviewMarkdown, REVIEW_MARKER } from './markdown.js';
export { summaryText } from './text.js';
export { replaceFile, stampFiles, stampUsersText, type Stamp, type StampEdit } from './stamp.js';
export { globMatcher, codeownersMatcher, parseCodeowners } from './patterns.js';
export * from './types.js';

/** The file a user was declared in, relative to roster.yaml's folder (as `include` and `review.owners` see it). */
export function declaringFile(desired: DesiredState, user: DesiredUser, cwd: string): string {
  return relative(dirname(desired.config_path), resolve(cwd, user.source.file)).split(sep).join('/');
}

/** Owners of a declared user from the config's rules (last match wins). */
export function ownersResolver(desired: DesiredState, config: ReviewConfig, cwd: string): (user: DesiredUser) => readonly string[] {
  return (user) => lastMatch(config.rules, config.pathFor(declaringFile(desired, user, cwd)))?.owners ?? [];
}

export interface ReviewRun {
  readonly desired: DesiredState;
  readonly live: LiveState;
  readonly baseline?: Baseline | undefined;
  readonly config: ReviewConfig;
  readonly as_of: string;
  readonly tool_version: string;
  readonly server_url: string;
  readonly cwd: string;
}

/** The review of `desired` against `live` at `as_of`, with DRIFTED from a plan made over the same two at the same time. */
export function createReview(run: ReviewRun): Review {
  const { desired, live } = run;
  const plan = createPlan(desired, live, {
    tool_version: run.tool_version,
    created_at: run.as_of,
    target: { url: desired.target.url ?? run.server_url, server: run.server_url, vault_id: live.vault_id, api_version: desired.target.api_version },
    allow: {},
    mode: 'full',
    baseline: run.baseline,
  });
  return buildReview({
    desired,
    live,
    changes: plan.changes,
    as_of: run.as_of,
    tool_version: run.tool_version,
    settings: run.config.settings,
    owners_from: run.config.owners_from,
    ownersOf: ownersResolver(desired, run.config, run.cwd),
  });
}

/** A file-name-safe form of an owner name, e.g. `@veepharm/rim-team` → `veepharm-rim-team`. */
export function ownerSlug(owner: string): string {
  const slug = owner
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'owner' : slug;
}

/** One distinct slug per owner (a clash gets -2, -3, …). */
export function ownerSlugs(owners: readonly string[]): Map<string, string> {
  const used = new Set<string>(['review']);
  const out = new Map<string, string>();
  for (const owner of owners) {
    const base = ownerSlug(owner);
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    out.set(owner, slug);
  }
  return out;
}
export { buildReviewRecord, REVIEW_RECORD_FORMAT_VERSION, type ReviewRecord, type RecordEntry, type JournalFacts, type Decision } from './record.js';
export { readJournalFacts } from './journal-facts.js';
