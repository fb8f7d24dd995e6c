/**
 * Finding workflow artifacts a later job may trust. An artifact's name alone proves nothing: any
 * workflow run in the repository (including one a PR branch edited) can upload any name. So a
 * candidate counts only when the run that uploaded it is the expected workflow file, for the
 * expected event and commit or branch, in this repository (not a fork).
 */
import { repoPath } from './github.mjs';

/** Non-expired artifacts called exactly `name`, newest first. */
export async function artifactsNamed(github, name) {
  const found = [];
  const path = `repos/${repoPath(github.repository)}/actions/artifacts?per_page=100&name=${encodeURIComponent(name)}`;
  for await (const artifact of github.items(path, (data) => data?.artifacts)) {
    if (artifact.name === name) found.push(artifact);
  }
  found.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)) || b.id - a.id);
  return found;
}

export async function workflowRun(github, runId) {
  return github.request('GET', `repos/${repoPath(github.repository)}/actions/runs/${runId}`);
}

/**
 * Why `run` cannot vouch for an artifact, or undefined when it can. `expect` holds the workflow
 * file path, the event, and optionally head_sha, head_branch and a required conclusion.
 */
export function runMismatch(run, expect) {
  if (run === null || typeof run !== 'object') return 'the run is unknown';
  if (run.path !== expect.workflow) return `it came from ${run.path ?? 'another workflow'}, not ${expect.workflow}`;
  if (run.event !== expect.event) return `it came from a ${run.event} run, not ${expect.event}`;
  if (run.head_repository?.id !== undefined && run.repository?.id !== undefined && run.head_repository.id !== run.repository.id) {
    return 'it came from a fork';
  }
  if (expect.head_sha !== undefined && run.head_sha !== expect.head_sha) return `its run was for commit ${String(run.head_sha).slice(0, 7)}`;
  if (expect.head_branch !== undefined && run.head_branch !== expect.head_branch) return `its run was on branch ${run.head_branch}`;
  if (expect.conclusion !== undefined && run.conclusion !== expect.conclusion) {
    return `its run ended with ${run.conclusion ?? run.status ?? 'no conclusion'}, not ${expect.conclusion}`;
  }
  return undefined;
}
