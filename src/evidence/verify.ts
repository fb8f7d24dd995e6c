/**
 * `evidence verify DIR`: recomputes every file's digest against the manifest, names each edited,
 * missing or extra file, checks the journal's chain (naming the line) and head, and that the
 * plan, the manifest and the journal's runs name one plan id.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { legacyPlanId, planSchemaErrors, verifyJournal } from '../apply/index.js';
import { VaultRosterError } from '../errors.js';
import { planId, type Plan } from '../plan/index.js';
import { BUNDLE_FORMAT, MANIFEST, type Manifest, type ManifestFile } from './bundle.js';
import { fileDigest } from './files.js';

export interface BundleVerdict {
  readonly ok: boolean;
  readonly plan_id: string | undefined;
  readonly journal_head: string | null | undefined;
  readonly checked: number;
  /** Each problem in words, naming the file (and the journal line). */
  readonly problems: readonly string[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

const HEX64 = /^[0-9a-f]{64}$/;

function isManifestFile(value: unknown): value is ManifestFile {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as Record<string, unknown>;
  return typeof f.path === 'string' && typeof f.sha256 === 'string' && HEX64.test(f.sha256) && typeof f.size === 'number';
}

function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new VaultRosterError('output-file', `${path} ${code === 'ENOENT' ? 'does not exist: this is not a finished evidence bundle' : `cannot be read: ${code ?? (error as Error).message}`}`, {
      hint: "Give the folder 'vault-roster evidence … --out DIR' wrote; it writes manifest.json last.",
    });
  }
  const m = value as Partial<Manifest> | null;
  if (m?.format !== BUNDLE_FORMAT || typeof m.plan_id !== 'string' || !HEX64.test(m.plan_id) || !Array.isArray(m.files) || !m.files.every(isManifestFile)) {
    throw new VaultRosterError('output-file', `${path} is not an evidence manifest (format ${BUNDLE_FORMAT}, plan_id, files with path, sha256 and size)`, {
      hint: 'The manifest was edited or is from another tool: the bundle cannot be verified.',
    });
  }
  return m as Manifest;
}

function checkFiles(dir: string, manifest: Manifest, problems: string[]): void {
  const present = new Set(filesUnder(dir));
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    if (!present.has(file.path)) {
      problems.push(`${file.path}: missing (listed in the manifest)`);
      continue;
    }
    const actual = fileDigest(join(dir, file.path));
    if (actual.sha256 !== file.sha256 || actual.size !== file.size) {
      problems.push(`${file.path}: edited (sha256 ${actual.sha256}, ${actual.size} bytes; the manifest has ${file.sha256}, ${file.size} bytes)`);
    }
  }
  for (const path of present) if (path !== MANIFEST && !listed.has(path)) problems.push(`${path}: extra file (not in the manifest)`);
}

function checkPlan(dir: string, manifest: Manifest, problems: string[]): void {
  let plan: unknown;
  try {
    plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
  } catch {
    problems.push('plan.json: not readable JSON, so the plan id cannot be checked');
    return;
  }
  const schema = planSchemaErrors(plan);
  if (schema.length > 0) problems.push(`plan.json: not a plan (${schema.slice(0, 2).join('; ')})`);
  const id = planId(plan as Plan);
  if (id !== manifest.plan_id) problems.push(`plan.json: its plan id is ${id}, the manifest says ${manifest.plan_id}`);
}

function checkJournal(dir: string, manifest: Manifest, problems: string[]): void {
  let verdict;
  try {
    verdict = verifyJournal(join(dir, 'journal.jsonl'), manifest.journal_head ?? undefined);
  } catch {
    problems.push('journal.jsonl: missing or unreadable, so the chain cannot be checked');
    return;
  }
  for (const p of verdict.problems) problems.push(`journal.jsonl line ${p.line} ${p.why}`);
  if (verdict.more_problems > 0) problems.push(`journal.jsonl: …and ${verdict.more_problems} more broken lines`);
  if (verdict.chained === 0) problems.push('journal.jsonl: not chained (written before the hash chain existed): cannot be verified');
  if (manifest.journal_head !== null && verdict.head_found_at === undefined) {
    problems.push(`journal.jsonl: head ${manifest.journal_head} is not in the journal: lines were removed from its end`);
  } else if (manifest.journal_head !== null && verdict.head !== undefined && verdict.head.chain !== manifest.journal_head) {
    problems.push(`journal.jsonl: lines after line ${verdict.head_found_at ?? '?'} (the head the manifest records) were added`);
  }
  checkRuns(dir, manifest, verdict.plan_ids, problems);
}

/** The journal's runs are of the bundle's plan (or of its 16-digit id of an older vault-roster). */
function checkRuns(dir: string, manifest: Manifest, ids: readonly string[], problems: string[]): void {
  let legacy: string | undefined;
  try {
    legacy = legacyPlanId(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as Plan);
  } catch {
    legacy = undefined;
  }
  if (ids.length === 0) problems.push('journal.jsonl: no run_started: no run of the plan is recorded');
  const others = ids.filter((id) => id !== manifest.plan_id && id !== legacy);
  if (others.length > 0) problems.push(`journal.jsonl: records runs of plan ${others.join(', ')}, the bundle is of plan ${manifest.plan_id}`);
}

export function verifyBundle(dir: string): BundleVerdict {
  const manifest = readManifest(dir);
  const problems: string[] = [];
  checkFiles(dir, manifest, problems);
  checkPlan(dir, manifest, problems);
  checkJournal(dir, manifest, problems);
  return { ok: problems.length === 0, plan_id: manifest.plan_id, journal_head: manifest.journal_head, checked: manifest.files.length, problems };
}
