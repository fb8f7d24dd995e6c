/**
 * Who runs apply, as the journal's `run_started` records it: the OS user and host, and in
 * GitHub Actions the actor and run. Only names and ids are read from the environment, never a
 * token (GITHUB_TOKEN and the like are not looked at).
 */
import { hostname, userInfo } from 'node:os';
import type { RunActor } from './journal.js';

type Env = Readonly<Record<string, string | undefined>>;

function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers): the OS cannot say, so nothing is claimed.
    return null;
  }
}

/** The GitHub Actions run, when `GITHUB_ACTIONS=true`: only the variables that are set. */
function githubRun(env: Env): NonNullable<RunActor['ci']> {
  const pick = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const server = pick('GITHUB_SERVER_URL');
  const repository = pick('GITHUB_REPOSITORY');
  const runId = pick('GITHUB_RUN_ID');
  const fields: Record<string, string | undefined> = {
    actor: pick('GITHUB_ACTOR'),
    repository,
    run_id: runId,
    run_attempt: pick('GITHUB_RUN_ATTEMPT'),
    run_url: server !== undefined && repository !== undefined && runId !== undefined ? `${server}/${repository}/actions/runs/${runId}` : undefined,
    workflow: pick('GITHUB_WORKFLOW'),
    event: pick('GITHUB_EVENT_NAME'),
    ref: pick('GITHUB_REF'),
    sha: pick('GITHUB_SHA'),
  };
  const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return { system: 'github-actions', ...present };
}

export function runActor(env: Env, user: () => string | null = osUser): RunActor {
  return {
    os_user: user(),
    host: hostname(),
    ...(env.GITHUB_ACTIONS === 'true' ? { ci: githubRun(env) } : {}),
  };
}
