#!/usr/bin/env node
/**
 * Binds a plan to a commit. In the PR job: the checkout is the PR head reviewers see (not
 * GitHub's test merge), no tracked file changed since, and plan.json records that commit. In the
 * apply job: the downloaded plan was made at the merged PR's head. vault-roster apply then checks
 * the desired files' digest and the live records; this step catches a plan bound to the wrong
 * commit before any Vault call.
 *
 *   node plan-commit.mjs [--expect SHA] [--plan plan.json] [--plan-commit SHA] [--dir DIR]
 *
 * --expect       the commit the checkout must be at (PR job: the PR head SHA)
 * --plan         a plan file whose git_commit is checked
 * --plan-commit  the commit the plan must record (default: the checked-out commit)
 * --dir          the work tree (default: the current directory)
 * Outputs: sha (the checked-out commit), short-sha, plan-commit (when --plan is given).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StepError, git, headCommit, parseOptions, requireCommit, runStep, setOutputs, shortSha } from './lib/step.mjs';

const USAGE = 'plan-commit.mjs [--expect SHA] [--plan FILE] [--plan-commit SHA] [--dir DIR]';

function readPlanCommit(path) {
  let plan;
  try {
    plan = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StepError(`cannot read the plan ${path}: ${error.code ?? error.message}`);
  }
  const commit = plan?.git_commit;
  if (typeof commit !== 'string' || commit === '') {
    throw new StepError(`the plan ${path} records no git commit: it was made outside a git work tree; run vault-roster plan inside the checkout`);
  }
  return requireCommit(commit, `git_commit in ${path}`);
}

async function main() {
  const values = parseOptions(
    process.argv.slice(2),
    { expect: { type: 'string' }, plan: { type: 'string' }, 'plan-commit': { type: 'string' }, dir: { type: 'string' } },
    USAGE,
  );
  const dir = resolve(values.dir ?? '.');
  const head = headCommit(dir);
  if (values.expect !== undefined) {
    const expected = requireCommit(values.expect, '--expect');
    if (head !== expected) {
      throw new StepError(
        `the checkout is at ${shortSha(head)} but the PR head is ${shortSha(expected)}: check out the head SHA (actions/checkout with ref: the PR head) so the plan is bound to the commit reviewers see`,
      );
    }
  }
  // Only tracked files count: plan.json, plan.md and node_modules are new files, not edits.
  const dirty = git(['status', '--porcelain', '--untracked-files=no'], dir);
  if (dirty !== '') {
    const files = dirty.split('\n').map((line) => line.slice(3)).slice(0, 10);
    throw new StepError(`tracked files changed after checkout (${files.join(', ')}): the plan would not match commit ${shortSha(head)}`);
  }
  const outputs = { sha: head, 'short-sha': shortSha(head) };
  let line = `checkout at ${head}, clean`;
  if (values.plan !== undefined) {
    const wanted = values['plan-commit'] === undefined ? head : requireCommit(values['plan-commit'], '--plan-commit');
    const recorded = readPlanCommit(resolve(values.plan));
    if (recorded !== wanted) {
      throw new StepError(`the plan ${values.plan} was made at ${shortSha(recorded)}, not at ${shortSha(wanted)}: it is not the plan of this commit; re-run the PR workflow`);
    }
    outputs['plan-commit'] = recorded;
    line += `; ${values.plan} was made at ${shortSha(recorded)}`;
  }
  setOutputs(outputs);
  return line;
}

await runStep('plan-commit', main);
