/**
 * The evidence bundle of an apply: a folder with the plan (JSON and the PR comment's Markdown),
 * the journal and its verify result, the desired files' digests, per-change before / intended /
 * read-back after with each call's execution id, the approvals, the run, a one-page summary, and
 * last a manifest of every file's sha256 and size (`evidence verify` checks it).
 */
import { copyFileSync, constants, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { legacyPlanId, verifyJournal, type JournalVerdict } from '../apply/index.js';
import { VaultRosterError } from '../errors.js';
import { planId, type Plan } from '../plan/index.js';
import { renderPlan } from '../render/index.js';
import { changesEvidence, type ReadBack } from './changes.js';
import { fileDigest, json, writeNew } from './files.js';
import { approvalsOf, readJournalRuns, type RunRecord } from './journal-runs.js';
import { summaryMarkdown, type ReviewRecordRef } from './summary.js';

export const MANIFEST = 'manifest.json';
export const BUNDLE_FORMAT = 'vault-roster-evidence';
export const BUNDLE_FORMAT_VERSION = 1;

export interface ManifestFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

export interface Manifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly format_version: number;
  readonly plan_id: string;
  readonly journal_head: string | null;
  readonly created_at: string;
  readonly files: readonly ManifestFile[];
}

export interface BundleInput {
  readonly plan: Plan;
  readonly journalPath: string;
  readonly outDir: string;
  readonly readBack: ReadBack;
  readonly toolVersion: string;
  readonly now?: () => string;
}

export interface BundleResult {
  readonly dir: string;
  readonly plan_id: string;
  readonly journal_head: string | null;
  readonly files: number;
}

/** An existing folder with anything in it is refused: evidence is never mixed or overwritten. */
export function assertNewOut(dir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new VaultRosterError('output-file', `cannot use ${dir} for the bundle: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { hint: 'Give a new folder.' });
    }
  }
  if (names.length > 0) {
    throw new VaultRosterError('output-file', `${dir} is not empty (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}): a bundle is never written over other files`, {
      hint: 'Give a new folder, e.g. evidence/<plan id>.',
    });
  }
}

function prepareOut(dir: string): void {
  assertNewOut(dir);
  mkdirSync(dir, { recursive: true });
}

function runJson(plan: Plan, id: string, runs: readonly RunRecord[], input: BundleInput, createdAt: string): unknown {
  const last = runs.filter((r) => r.finished !== null).at(-1);
  return {
    plan_id: id,
    vault_id: plan.target.vault_id,
    vault_url: plan.target.url,
    git_commit: plan.git_commit ?? null,
    git_dirty: plan.git_commit === undefined ? null : plan.git_dirty === true,
    plan_created_at: plan.created_at,
    plan_tool_version: plan.tool_version,
    runs: runs.map((r) => ({
      started_at: r.started.at,
      finished_at: r.finished?.at ?? null,
      tool_version: r.started.tool_version,
      actor: r.started.actor ?? null,
      git_commit: r.started.git_commit ?? null,
      counts: r.finished?.counts ?? null,
    })),
    counts: last?.finished?.counts ?? null,
    bundle: {
      created_at: createdAt,
      tool_version: input.toolVersion,
      read_back: input.readBack.status === 'read' ? { status: 'read', at: input.readBack.at, vault_id: input.readBack.vault_id } : { status: 'skipped', why: input.readBack.why },
    },
  };
}

function checkJournalIsOfPlan(journalPath: string, plan: Plan, runs: readonly RunRecord[]): void {
  const id = planId(plan);
  if (runs.length === 0) {
    throw new VaultRosterError('journal-file', `journal ${journalPath} records no run (no run_started line): there is no apply to make evidence of`, {
      hint: 'Give the journal apply wrote for the plan (.vault-roster/journal/<plan id>.jsonl).',
    });
  }
  // An older vault-roster recorded the plan under its 16-digit id: both name the same plan.
  const others = [...new Set(runs.map((r) => r.started.plan_id))].filter((p) => p !== id && p !== legacyPlanId(plan));
  if (others.length > 0) {
    throw new VaultRosterError('journal-file', `journal ${journalPath} records runs of plan ${others.join(', ')}, not of plan ${id}`, {
      hint: 'Give the journal named by the plan id (.vault-roster/journal/<plan id>.jsonl), or the plan that journal ran (--plan).',
    });
  }
}

/**
 * The review records of this plan in the state folder beside the journal's (`reviews/`): the
 * evidence of the access review whose decisions the plan carried out. A record that cannot be
 * read stops the bundle: it might be this plan's, and leaving it out silently would lose it.
 */
function reviewRecordsOf(journalPath: string, id: string): { name: string; text: string; ref: ReviewRecordRef }[] {
  const dir = join(dirname(dirname(journalPath)), 'reviews');
  if (!existsSync(dir)) return [];
  const out: { name: string; text: string; ref: ReviewRecordRef }[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const path = join(dir, name);
    const text = readFileSync(path, 'utf8');
    let record: { plan?: { id?: unknown }; reviewer?: unknown; date?: unknown };
    try {
      record = JSON.parse(text) as typeof record;
    } catch {
      throw new VaultRosterError('state-file', `review record ${path} is not JSON: it cannot be told whether it belongs to plan ${id}`, {
        hint: 'Restore it from a copy, or move it out of the reviews folder if it is not a review record; then write the bundle again.',
      });
    }
    if (record.plan?.id !== id) continue;
    out.push({ name: `review-${name}`, text, ref: { file: `review-${name}`, reviewer: String(record.reviewer), date: String(record.date) } });
  }
  return out;
}

export function writeBundle(input: BundleInput): BundleResult {
  const { plan, outDir } = input;
  const id = planId(plan);
  const journal = readJournalRuns(input.journalPath);
  checkJournalIsOfPlan(input.journalPath, plan, journal.runs);
  prepareOut(outDir);
  const createdAt = (input.now ?? (() => new Date().toISOString()))();
  const written: string[] = [];
  const put = (name: string, content: string): void => {
    writeNew(join(outDir, name), content);
    written.push(name);
  };
  put('plan.json', json(plan));
  put('plan.md', renderPlan(plan, 'markdown', { color: false }));
  copyFileSync(input.journalPath, join(outDir, 'journal.jsonl'), constants.COPYFILE_EXCL);
  written.push('journal.jsonl');
  // Verified from the copy: the bundle's own journal is the one its verdict speaks of.
  const verdict: JournalVerdict = { ...verifyJournal(join(outDir, 'journal.jsonl')), path: 'journal.jsonl' };
  put('journal-verify.json', json(verdict));
  put('desired-files.json', json({ git_commit: plan.git_commit ?? null, git_dirty: plan.git_commit === undefined ? null : plan.git_dirty === true, desired_digest: plan.desired_digest, files: plan.desired_files }));
  const changes = changesEvidence(plan, journal, input.readBack);
  put('changes.json', json({ plan_id: id, read_back: input.readBack.status === 'read' ? { status: 'read', at: input.readBack.at } : { status: 'skipped', why: input.readBack.why }, changes }));
  put('approvals.json', json({ plan_id: id, runs: approvalsOf(journal.runs) }));
  put('run.json', json(runJson(plan, id, journal.runs, input, createdAt)));
  const reviews = reviewRecordsOf(input.journalPath, id);
  for (const review of reviews) put(review.name, review.text);
  put('summary.md', summaryMarkdown({ plan, planId: id, runs: journal.runs, verdict, changes, readBack: input.readBack, reviews: reviews.map((r) => r.ref) }));
  const head = verdict.head?.chain ?? null;
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    format_version: BUNDLE_FORMAT_VERSION,
    plan_id: id,
    journal_head: head,
    created_at: createdAt,
    files: written.sort().map((name) => ({ path: name, ...fileDigest(join(outDir, name)) })),
  };
  // Last: a folder without a manifest is a bundle whose writing did not finish.
  writeNew(join(outDir, MANIFEST), json(manifest));
  return { dir: outDir, plan_id: id, journal_head: head, files: written.length + 1 };
}
