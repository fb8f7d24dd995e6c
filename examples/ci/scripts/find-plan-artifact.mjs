#!/usr/bin/env node
/**
 * Finds the plan reviewed for a commit that landed on main. GitHub lists the pull requests a
 * commit belongs to; the merged one whose merge_commit_sha is this commit (merge commit, squash
 * or rebase) names the PR head the plan was made at. Its artifact vault-roster-plan-<head SHA>
 * is trusted only when the PR workflow run that uploaded it was for that head, in this
 * repository, and passed. Anything else fails loudly, telling the admin what to re-run.
 *
 *   node find-plan-artifact.mjs --commit SHA [--prefix vault-roster-plan-]
 *                               [--workflow .github/workflows/vault-roster-pr.yml] [--dir DIR]
 *
 * --commit must be the checked-out commit of --dir (the files apply will read).
 * Env: GITHUB_TOKEN (actions: read, pull-requests: read), GITHUB_REPOSITORY, GITHUB_API_URL.
 * Outputs: pr-number, head-sha, artifact-name, artifact-id, run-id, run-url.
 */
import { resolve } from 'node:path';
import { artifactsNamed, runMismatch, workflowRun } from './lib/artifacts.mjs';
import { GitHubApi, repoPath } from './lib/github.mjs';
import { StepError, headCommit, parseOptions, requireCommit, requireOption, runStep, setOutputs, shortSha } from './lib/step.mjs';

const USAGE = 'find-plan-artifact.mjs --commit SHA [--prefix P] [--workflow PATH] [--dir DIR]';
/** Artifacts checked before giving up; more than a few re-runs of one head is unusual. */
const MAX_CANDIDATES = 20;

/** The merged PR that put `commit` on the base branch, or undefined. */
function mergedPullFor(pulls, commit) {
  const merged = pulls.filter((p) => p.merged_at && (p.merge_commit_sha === commit || p.head?.sha === commit));
  merged.sort((a, b) => String(b.merged_at).localeCompare(String(a.merged_at)));
  return merged[0];
}

function rerunAdvice(pr, head) {
  return `Re-run the vault-roster PR workflow for PR #${pr.number} (Actions → its run for ${shortSha(head)} → Re-run all jobs), check the new plan comment, then re-run this workflow.`;
}

async function main() {
  const values = parseOptions(
    process.argv.slice(2),
    { commit: { type: 'string' }, prefix: { type: 'string' }, workflow: { type: 'string' }, dir: { type: 'string' } },
    USAGE,
  );
  const commit = requireCommit(requireOption(values, 'commit', USAGE), '--commit');
  const prefix = values.prefix ?? 'vault-roster-plan-';
  const workflow = values.workflow ?? '.github/workflows/vault-roster-pr.yml';
  const checkedOut = headCommit(resolve(values.dir ?? '.'));
  if (checkedOut !== commit) {
    throw new StepError(`the checkout is at ${shortSha(checkedOut)}, not ${shortSha(commit)}: apply must read the files of the commit it applies`);
  }

  const github = GitHubApi.fromEnv();
  const pulls = [];
  for await (const pr of github.items(`repos/${repoPath(github.repository)}/commits/${commit}/pulls?per_page=100`)) pulls.push(pr);
  const pr = mergedPullFor(pulls, commit);
  if (pr === undefined) {
    throw new StepError(
      `commit ${shortSha(commit)} is not the merge of a pull request (GitHub lists no merged PR for it). vault-roster applies only plans reviewed in a PR: open a PR with this change (or a revert of it) and merge it.`,
    );
  }
  const head = requireCommit(pr.head?.sha, `head SHA of PR #${pr.number}`);
  const name = `${prefix}${head}`;

  const candidates = await artifactsNamed(github, name);
  const live = candidates.filter((a) => !a.expired);
  if (live.length === 0) {
    const expired = candidates.length > 0 ? ` (it expired on ${candidates[0].expires_at ?? 'an earlier date'})` : '';
    throw new StepError(`no plan artifact ${name} for PR #${pr.number} (head ${shortSha(head)})${expired}. ${rerunAdvice(pr, head)}`);
  }
  const rejected = [];
  for (const artifact of live.slice(0, MAX_CANDIDATES)) {
    if (artifact.workflow_run?.head_sha !== head) {
      rejected.push(`artifact ${artifact.id}: uploaded by a run for ${String(artifact.workflow_run?.head_sha ?? 'an unknown commit').slice(0, 7)}`);
      continue;
    }
    const run = await workflowRun(github, artifact.workflow_run.id);
    const why = runMismatch(run, { workflow, event: 'pull_request', head_sha: head, conclusion: 'success' });
    if (why !== undefined) {
      rejected.push(`artifact ${artifact.id}: ${why}`);
      continue;
    }
    setOutputs({
      'pr-number': pr.number,
      'head-sha': head,
      'artifact-name': name,
      'artifact-id': artifact.id,
      'run-id': run.id,
      'run-url': run.html_url ?? '',
    });
    return `PR #${pr.number} head ${shortSha(head)}: plan artifact ${artifact.id} from run ${run.id}`;
  }
  throw new StepError(`no trustworthy plan artifact ${name} for PR #${pr.number}: ${rejected.join('; ')}. ${rerunAdvice(pr, head)}`);
}

await runStep('find-plan-artifact', main);
