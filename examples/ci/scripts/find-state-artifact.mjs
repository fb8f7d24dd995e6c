#!/usr/bin/env node
/**
 * Finds the newest last-applied state saved by the apply workflow on main. SiteVault has no read
 * API, so vault-roster keeps what it last sent in .vault-roster/ (the state file and apply
 * journals); the apply workflow uploads that folder after every run and every other job
 * restores it before planning. Only an apply run on the branch (push event, this repository,
 * the expected workflow file) can supply it. None found is not an error (the first apply has
 * none) but is reported as a warning.
 *
 *   node find-state-artifact.mjs [--name vault-roster-state] [--branch main]
 *                                [--workflow .github/workflows/vault-roster-apply.yml]
 *
 * Env: GITHUB_TOKEN (actions: read), GITHUB_REPOSITORY, GITHUB_API_URL.
 * Outputs: found (true | false), artifact-name, artifact-id, run-id, created-at.
 */
import { artifactsNamed, runMismatch, workflowRun } from './lib/artifacts.mjs';
import { GitHubApi } from './lib/github.mjs';
import { parseOptions, runStep, setOutputs, warn } from './lib/step.mjs';

const USAGE = 'find-state-artifact.mjs [--name N] [--branch B] [--workflow PATH]';
const MAX_CANDIDATES = 20;

async function main() {
  const values = parseOptions(process.argv.slice(2), { name: { type: 'string' }, branch: { type: 'string' }, workflow: { type: 'string' } }, USAGE);
  const name = values.name ?? 'vault-roster-state';
  const branch = values.branch ?? 'main';
  const workflow = values.workflow ?? '.github/workflows/vault-roster-apply.yml';
  const github = GitHubApi.fromEnv();

  const candidates = (await artifactsNamed(github, name)).filter(
    (a) => !a.expired && a.workflow_run?.head_branch === branch && a.workflow_run.head_repository_id === a.workflow_run.repository_id,
  );
  for (const artifact of candidates.slice(0, MAX_CANDIDATES)) {
    const run = await workflowRun(github, artifact.workflow_run.id);
    if (runMismatch(run, { workflow, event: 'push', head_branch: branch }) !== undefined) continue;
    setOutputs({ found: true, 'artifact-name': name, 'artifact-id': artifact.id, 'run-id': run.id, 'created-at': artifact.created_at ?? '' });
    return `state artifact ${artifact.id} from apply run ${run.id} (${artifact.created_at ?? 'date unknown'})`;
  }
  setOutputs({ found: false, 'artifact-name': name, 'artifact-id': '', 'run-id': '', 'created-at': '' });
  warn(
    'find-state-artifact',
    `no ${name} artifact from ${workflow} on ${branch}: planning from an empty last-applied state. Expected before the first apply; afterwards SiteVault persons would be planned as new, so restore the state first.`,
  );
  return `no ${name} artifact on ${branch}; starting from an empty state`;
}

await runStep('find-state-artifact', main);
