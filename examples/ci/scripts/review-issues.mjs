#!/usr/bin/env node
/**
 * The scheduled access review: one issue per owner from `vault-roster review --format markdown
 * --out DIR` (DIR/<owner-slug>.md per owner, DIR/review.json). Each issue is found again by a
 * hidden marker naming the quarter and the owner, so a re-run updates it instead of opening a
 * second one; a review issue someone closed (the review is done) is left alone.
 *
 *   node review-issues.mjs --dir review [--quarter 2026-Q4] [--label access-review] [--footer TEXT]
 *
 * Owners come from review.json: `owner_reports: [{ name, slug, file }]` (name as in review.owners
 * or CODEOWNERS; file is `<slug>.md`, the owner's Markdown report). A name written `@login` is assigned the issue; a
 * team (`@org/team`) cannot be assigned on GitHub and is mentioned in the body instead; any other
 * name (a person's name, an email) is only in the title.
 *
 * Env: GITHUB_TOKEN (issues: write), GITHUB_REPOSITORY, GITHUB_API_URL.
 * Outputs: created, updated, unchanged, closed (counts), issues (numbers, comma-separated).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitBody } from './lib/body.mjs';
import { GitHubApi, repoPath } from './lib/github.mjs';
import { StepError, parseOptions, requireOption, runStep, setOutputs } from './lib/step.mjs';

const USAGE = 'review-issues.mjs --dir DIR [--quarter YYYY-QN] [--label L] [--footer TEXT]';
const LOGIN = /^@([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})$/;
const TEAM = /^@[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][\w.-]*$/;
const SLUG = /^[a-z0-9][a-z0-9._-]*$/;

/** `2026-Q4` for a date (UTC). */
function quarterOf(date) {
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}

function markerFor(quarter, slug) {
  return `<!-- vault-roster-review ${quarter} ${slug} -->`;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StepError(`cannot read ${path}: ${error instanceof SyntaxError ? 'not JSON' : (error.code ?? error.message)} (did vault-roster review --out write it?)`);
  }
}

/** The owners listed in review.json's owner_reports; anything else there is not read. */
function ownersOf(review, path) {
  const owners = review?.owner_reports;
  if (!Array.isArray(owners)) throw new StepError(`${path} has no owner_reports list ([{ name, slug, file }]); run vault-roster review --format markdown --out DIR (this script reads only that part of the review report)`);
  return owners.map((owner, i) => {
    if (typeof owner?.name !== 'string' || owner.name.trim() === '' || typeof owner.slug !== 'string' || !SLUG.test(owner.slug)) {
      throw new StepError(`${path} owner_reports[${i}] needs a name and a slug of lower-case letters, digits, '.', '_' or '-' (got ${JSON.stringify(owner).slice(0, 120)})`);
    }
    if (owner.file !== `${owner.slug}.md`) {
      throw new StepError(`${path} owner_reports[${i}] is in ${JSON.stringify(owner.file)}, not ${owner.slug}.md: run vault-roster review with --format markdown`);
    }
    return { name: owner.name.trim(), slug: owner.slug };
  });
}

function readOwnerReport(dir, slug) {
  const path = join(dir, `${slug}.md`);
  try {
    const text = readFileSync(path, 'utf8');
    if (text.trim() === '') throw new StepError(`${path} is empty`);
    return text;
  } catch (error) {
    if (error instanceof StepError) throw error;
    throw new StepError(`cannot read ${path}: ${error.code ?? error.message} (review.json lists the owner, so review --format markdown --out should have written it)`);
  }
}

function issueFor(owner, quarter, report, footer) {
  const login = LOGIN.exec(owner.name)?.[1];
  const mention = TEAM.test(owner.name) ? `Owners: ${owner.name} (a team cannot be assigned; whoever reviews, assign yourself).\n\n` : '';
  const body = fitBody(`${markerFor(quarter, owner.slug)}\n${mention}${report}`, { footer });
  return { title: `Access review ${quarter}: ${owner.name}`, body, assignees: login === undefined ? [] : [login] };
}

async function existingIssues(github, quarter) {
  const found = new Map();
  const prefix = `<!-- vault-roster-review ${quarter} `;
  for await (const item of github.items(`repos/${repoPath(github.repository)}/issues?state=all&per_page=100`)) {
    if (item.pull_request !== undefined || typeof item.body !== 'string') continue;
    const first = item.body.trimStart().split('\n', 1)[0];
    if (first.startsWith(prefix) && !found.has(first)) found.set(first, item);
  }
  return found;
}

async function upsert(github, existing, wanted, label) {
  const repo = repoPath(github.repository);
  if (existing === undefined) {
    const issue = await github.request('POST', `repos/${repo}/issues`, { ...wanted, ...(label === undefined ? {} : { labels: [label] }) });
    return { action: 'created', number: issue?.number };
  }
  if (existing.state === 'closed') return { action: 'closed', number: existing.number };
  if (existing.body === wanted.body && existing.title === wanted.title) return { action: 'unchanged', number: existing.number };
  // Assignees are set when the issue is opened; later edits keep whoever took the review over.
  await github.request('PATCH', `repos/${repo}/issues/${existing.number}`, { title: wanted.title, body: wanted.body });
  return { action: 'updated', number: existing.number };
}

async function main() {
  const values = parseOptions(process.argv.slice(2), { dir: { type: 'string' }, quarter: { type: 'string' }, label: { type: 'string' }, footer: { type: 'string' } }, USAGE);
  const dir = requireOption(values, 'dir', USAGE);
  const quarter = values.quarter ?? quarterOf(new Date());
  if (!/^\d{4}-Q[1-4]$/.test(quarter)) throw new StepError(`--quarter must look like 2026-Q4, got '${quarter}'`);
  const owners = ownersOf(readJson(join(dir, 'review.json')), join(dir, 'review.json'));
  // Read every report before the first request, so a missing file changes nothing on GitHub.
  const wanted = owners.map((owner) => ({ owner, issue: issueFor(owner, quarter, readOwnerReport(dir, owner.slug), values.footer ?? '') }));

  const github = GitHubApi.fromEnv();
  const existing = await existingIssues(github, quarter);
  const counts = { created: 0, updated: 0, unchanged: 0, closed: 0 };
  const numbers = [];
  for (const { owner, issue } of wanted) {
    const done = await upsert(github, existing.get(markerFor(quarter, owner.slug)), issue, values.label);
    if (typeof done.number !== 'number') throw new StepError(`GitHub returned no issue number for the review of ${owner.name}`);
    counts[done.action] += 1;
    numbers.push(done.number);
  }
  setOutputs({ created: counts.created, updated: counts.updated, unchanged: counts.unchanged, closed: counts.closed, issues: numbers.join(',') });
  return `access review ${quarter}: ${owners.length} owners; ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.closed} already closed (left alone)`;
}

await runStep('review-issues', main);
