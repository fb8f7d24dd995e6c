#!/usr/bin/env node
/**
 * Keeps one open issue for Vault drift, found by a hidden marker at the start of its body.
 * --mode open: create it, or edit the open one, with the drift report from --body-file.
 * --mode close: comment and close the open one (drift is gone); nothing to do when none is open.
 *
 *   node drift-issue.mjs --mode open --body-file drift.md [--title T] [--label L] [--footer TEXT]
 *   node drift-issue.mjs --mode close [--comment TEXT]
 *   common: [--marker '<!-- vault-roster-drift -->'] [--repo owner/name]
 *
 * Env: GITHUB_TOKEN (issues: write), GITHUB_REPOSITORY, GITHUB_API_URL.
 * Outputs: issue-number, issue-url, action (created | updated | closed | none).
 */
import { fitBody, hasMarker, withMarker } from './lib/body.mjs';
import { GitHubApi, repoPath } from './lib/github.mjs';
import { StepError, parseOptions, readBodyFile, requireOption, runStep, setOutputs } from './lib/step.mjs';

const USAGE = 'drift-issue.mjs --mode open|close [--body-file FILE] [--title T] [--label L] [--footer TEXT] [--comment TEXT] [--marker M] [--repo owner/name]';
const DEFAULT_MARKER = '<!-- vault-roster-drift -->';
const DEFAULT_TITLE = 'vault-roster: Vault access changed outside the roster (drift)';
const DEFAULT_CLOSE_COMMENT = 'The scheduled drift check found no drift any more: Vault matches what was last applied. Closing.';

/** The open issue (not pull request) whose body starts with the marker, oldest first. */
async function findOpenIssue(github, marker) {
  const path = `repos/${repoPath(github.repository)}/issues?state=open&sort=created&direction=asc&per_page=100`;
  for await (const item of github.items(path)) {
    if (item.pull_request === undefined && hasMarker(item.body, marker)) return item;
  }
  return undefined;
}

async function main() {
  const values = parseOptions(
    process.argv.slice(2),
    {
      mode: { type: 'string' },
      'body-file': { type: 'string' },
      title: { type: 'string' },
      label: { type: 'string', multiple: true },
      footer: { type: 'string' },
      comment: { type: 'string' },
      marker: { type: 'string' },
      repo: { type: 'string' },
    },
    USAGE,
  );
  const mode = requireOption(values, 'mode', USAGE);
  if (mode !== 'open' && mode !== 'close') throw new StepError(`--mode must be open or close, got '${mode}'`);
  const marker = values.marker ?? DEFAULT_MARKER;
  if (!/^<!--.*-->$/.test(marker)) throw new StepError(`--marker must be an HTML comment like '${DEFAULT_MARKER}', got '${marker}'`);
  // Read the body before any request, so a missing report fails without touching GitHub.
  const body = mode === 'open' ? fitBody(withMarker(readBodyFile(requireOption(values, 'body-file', USAGE)), marker), { footer: values.footer ?? '' }) : undefined;

  const github = GitHubApi.fromEnv(process.env, values.repo);
  const repo = repoPath(github.repository);
  const existing = await findOpenIssue(github, marker);

  if (mode === 'close') {
    if (existing === undefined) {
      setOutputs({ 'issue-number': '', 'issue-url': '', action: 'none' });
      return 'no open drift issue; nothing to close';
    }
    await github.request('POST', `repos/${repo}/issues/${existing.number}/comments`, { body: values.comment ?? DEFAULT_CLOSE_COMMENT });
    await github.request('PATCH', `repos/${repo}/issues/${existing.number}`, { state: 'closed', state_reason: 'completed' });
    setOutputs({ 'issue-number': existing.number, 'issue-url': existing.html_url ?? '', action: 'closed' });
    return `closed drift issue #${existing.number}`;
  }

  let issue;
  let action;
  if (existing === undefined) {
    issue = await github.request('POST', `repos/${repo}/issues`, {
      title: values.title ?? DEFAULT_TITLE,
      body,
      ...(values.label === undefined ? {} : { labels: values.label }),
    });
    action = 'created';
  } else {
    issue = await github.request('PATCH', `repos/${repo}/issues/${existing.number}`, { body, ...(values.title === undefined ? {} : { title: values.title }) });
    action = 'updated';
  }
  if (issue === null || typeof issue.number !== 'number') throw new StepError(`GitHub returned no issue number when the issue was ${action}`);
  setOutputs({ 'issue-number': issue.number, 'issue-url': issue.html_url ?? '', action });
  return `${action} drift issue #${issue.number}`;
}

await runStep('drift-issue', main);
