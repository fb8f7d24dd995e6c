#!/usr/bin/env node
/**
 * Creates or edits the ONE pull-request comment that starts with a hidden marker, with the body
 * read from a file (cut to GitHub's size limit with a visible notice). Reviewers see a single
 * plan that follows every push instead of a thread of stale ones.
 *
 *   node sticky-comment.mjs --issue N --body-file plan.md [--marker '<!-- vault-roster-plan -->']
 *                           [--author LOGIN] [--footer TEXT] [--repo owner/name] [--max-chars N]
 *
 * Our comment is the one that starts with the marker AND was written by --author (default
 * github-actions[bot], the author of comments posted with the workflow's GITHUB_TOKEN; pass the
 * login of the app or user whose token you use). A comment someone else wrote, even one that
 * copies the marker, is never edited.
 *
 * Env: GITHUB_TOKEN (required), GITHUB_REPOSITORY, GITHUB_API_URL (default https://api.github.com).
 * Outputs: comment-id, comment-url, action (created | updated | unchanged).
 */
import { DEFAULT_BODY_BUDGET, GITHUB_BODY_LIMIT, fitBody, hasMarker, withMarker } from './lib/body.mjs';
import { GitHubApi, repoPath } from './lib/github.mjs';
import { StepError, parseOptions, positiveInteger, readBodyFile, requireOption, runStep, setOutputs } from './lib/step.mjs';

const USAGE = 'sticky-comment.mjs --issue N --body-file FILE [--marker M] [--author LOGIN] [--footer TEXT] [--repo owner/name] [--max-chars N]';
const DEFAULT_MARKER = '<!-- vault-roster-plan -->';
const DEFAULT_AUTHOR = 'github-actions[bot]';

async function main() {
  const values = parseOptions(
    process.argv.slice(2),
    {
      issue: { type: 'string' },
      'body-file': { type: 'string' },
      marker: { type: 'string' },
      author: { type: 'string' },
      footer: { type: 'string' },
      repo: { type: 'string' },
      'max-chars': { type: 'string' },
    },
    USAGE,
  );
  const issue = positiveInteger(requireOption(values, 'issue', USAGE), 'issue');
  const marker = values.marker ?? DEFAULT_MARKER;
  if (!/^<!--.*-->$/.test(marker)) throw new StepError(`--marker must be an HTML comment like '${DEFAULT_MARKER}', got '${marker}'`);
  const author = values.author ?? DEFAULT_AUTHOR;
  const budget = values['max-chars'] === undefined ? DEFAULT_BODY_BUDGET : positiveInteger(values['max-chars'], 'max-chars', GITHUB_BODY_LIMIT);
  const raw = readBodyFile(requireOption(values, 'body-file', USAGE));
  const marked = withMarker(raw, marker);
  const body = fitBody(marked, { footer: values.footer ?? '', budget });
  const cut = !body.startsWith(marked);

  const github = GitHubApi.fromEnv(process.env, values.repo);
  const repo = repoPath(github.repository);
  let existing;
  for await (const comment of github.items(`repos/${repo}/issues/${issue}/comments?per_page=100`)) {
    if (hasMarker(comment.body, marker) && comment.user?.login === author) {
      existing = comment;
      break;
    }
  }

  let comment;
  let action;
  if (existing === undefined) {
    comment = await github.request('POST', `repos/${repo}/issues/${issue}/comments`, { body });
    action = 'created';
  } else if (existing.body === body) {
    comment = existing;
    action = 'unchanged';
  } else {
    comment = await github.request('PATCH', `repos/${repo}/issues/comments/${existing.id}`, { body });
    action = 'updated';
  }
  if (comment === null || typeof comment.id !== 'number') throw new StepError(`GitHub returned no comment id when the comment was ${action}`);
  setOutputs({ 'comment-id': comment.id, 'comment-url': comment.html_url ?? '', action });
  return `${action} comment ${comment.id} on #${issue} (${body.length.toLocaleString('en-US')} characters${cut ? ', cut to fit' : ''})`;
}

await runStep('sticky-comment', main);
