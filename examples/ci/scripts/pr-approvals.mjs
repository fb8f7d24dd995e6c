#!/usr/bin/env node
/**
 * Turns the approving reviews of the merged pull request into the approvals `vault-roster apply`
 * records in its journal (Part 11 §11.50: printed name, date and time, meaning). Refuses, before
 * any Vault call, when fewer than --require approvals count (rules in lib/approvals.mjs).
 *
 *   node pr-approvals.mjs --pr N --head SHA --out approvals.json [--require 1]
 *                         [--meaning 'approved access change'] [--any-commit true|false]
 *
 * --out gets a JSON array of apply arguments (`--approved-by 'Name <email>' --approval-meaning M
 * --approval-ref REF`, once per approver, oldest approval first), which run-capture.mjs
 * --args-file appends to the apply command. Name: the GitHub profile name, or the login when the
 * profile has none; email: the public profile email, else the account's noreply address; ref: the
 * review's URL with its submitted_at time and commit.
 *
 * Env: GITHUB_TOKEN (pull-requests: read), GITHUB_REPOSITORY, GITHUB_API_URL.
 * Outputs: count, approvers (logins, comma-separated).
 */
import { writeFileSync } from 'node:fs';
import { applyArguments, approvalRef, approverEmail, countedApprovals, printedName } from './lib/approvals.mjs';
import { GitHubApi, repoPath } from './lib/github.mjs';
import { StepError, parseOptions, positiveInteger, requireCommit, requireOption, runStep, setOutputs } from './lib/step.mjs';

const USAGE = 'pr-approvals.mjs --pr N --head SHA --out FILE [--require N] [--meaning TEXT] [--any-commit true|false]';
const DEFAULT_MEANING = 'approved access change';
/** More approvers than this on one PR is not a review we can record sensibly in a command line. */
const MAX_APPROVERS = 50;

function requireCount(value) {
  if (value === undefined) return 1;
  if (value === '0') return 0;
  return positiveInteger(value, 'require', MAX_APPROVERS);
}

function booleanOption(value, name) {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new StepError(`--${name} must be true or false, got '${value}'`);
}

async function approvalOf(github, review, meaning, pr) {
  const login = review.user.login;
  const profile = await github.request('GET', `users/${encodeURIComponent(login)}`);
  return { login, by: `${printedName(profile, login)} <${approverEmail(profile, login)}>`, meaning, ref: approvalRef(review, pr), at: review.submitted_at };
}

async function main() {
  const values = parseOptions(
    process.argv.slice(2),
    {
      pr: { type: 'string' },
      head: { type: 'string' },
      out: { type: 'string' },
      require: { type: 'string' },
      meaning: { type: 'string' },
      'any-commit': { type: 'string' },
    },
    USAGE,
  );
  const pr = positiveInteger(requireOption(values, 'pr', USAGE), 'pr');
  const head = requireCommit(requireOption(values, 'head', USAGE), '--head');
  const out = requireOption(values, 'out', USAGE);
  const required = requireCount(values.require);
  const anyCommit = booleanOption(values['any-commit'], 'any-commit');
  const meaning = (values.meaning ?? DEFAULT_MEANING).trim();
  if (meaning === '') throw new StepError('--meaning is empty: say what an approval means, e.g. "approved access change"');

  const github = GitHubApi.fromEnv();
  const repo = repoPath(github.repository);
  const reviews = [];
  for await (const review of github.items(`repos/${repo}/pulls/${pr}/reviews?per_page=100`)) reviews.push(review);
  const { counted, skipped } = countedApprovals(reviews, { head, anyCommit });
  const notCounted = skipped.length === 0 ? '' : ` Not counted: ${skipped.join('; ')}.`;
  if (counted.length < required) {
    throw new StepError(
      `PR #${pr} has ${counted.length} approving review${counted.length === 1 ? '' : 's'} of its head ${head.slice(0, 7)}; ${required} required. Nothing was sent to Vault.${notCounted} Get the approval on the PR (a new PR if it is closed), or lower the Action input require-approvals if your process allows it, then re-run this workflow.`,
    );
  }
  if (counted.length > MAX_APPROVERS) throw new StepError(`PR #${pr} has ${counted.length} approvals; at most ${MAX_APPROVERS} can be recorded`);
  const approvals = [];
  for (const review of counted) approvals.push(await approvalOf(github, review, meaning, pr));
  try {
    writeFileSync(out, `${JSON.stringify(applyArguments(approvals), null, 2)}\n`);
  } catch (error) {
    throw new StepError(`cannot write ${out}: ${error.code ?? error.message}`);
  }
  setOutputs({ count: approvals.length, approvers: approvals.map((a) => a.login).join(',') });
  const who = approvals.map((a) => `${a.by} (${a.login})`).join(', ');
  return `PR #${pr}: ${approvals.length} approval${approvals.length === 1 ? '' : 's'} recorded${who === '' ? '' : `: ${who}`}.${notCounted}`;
}

await runStep('pr-approvals', main);
