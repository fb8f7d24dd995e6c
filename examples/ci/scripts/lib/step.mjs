/**
 * Plumbing shared by the CI step scripts: options, step outputs, git, and the one-line result
 * or failure every script ends with. Plain Node 20 ESM without dependencies, so a workflow can
 * run the scripts straight from node_modules/vault-roster (or a copy) with nothing else installed.
 * Never prints a token: every value registered with registerSecret is masked in all output.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** A failure the user can fix: reported as one line, never with a stack trace. */
export class StepError extends Error {}

const secrets = new Set();

/** Masks `value` in everything the scripts print or write from now on. */
export function registerSecret(value) {
  // Very short values would mask ordinary words; real tokens are long.
  if (typeof value === 'string' && value.length >= 6) secrets.add(value);
}

export function redact(text) {
  let out = String(text);
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

/** Parses `--name value` options strictly; an unknown or malformed option is a StepError. */
export function parseOptions(argv, options, usage) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new StepError(`${error.message} (usage: ${usage})`);
  }
}

export function requireOption(values, name, usage) {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new StepError(`--${name} is required (usage: ${usage})`);
  return value;
}

/** Full commit ids: 40 hex digits (SHA-1 repos) or 64 (SHA-256 repos). */
const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function requireCommit(value, what) {
  const commit = String(value ?? '').trim().toLowerCase();
  if (!COMMIT_ID.test(commit)) throw new StepError(`${what} must be a full commit SHA, got '${String(value ?? '')}'`);
  return commit;
}

export function shortSha(commit) {
  return commit.slice(0, 7);
}

/** Appends step outputs to $GITHUB_OUTPUT (ignored outside Actions). Values are single-line. */
export function setOutputs(outputs, env = process.env) {
  const lines = Object.entries(outputs).map(([name, value]) => {
    const text = String(value);
    if (/[\r\n]/.test(text)) throw new StepError(`step output ${name} must be one line`);
    return `${name}=${redact(text)}\n`;
  });
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, lines.join(''));
}

/** Runs git in `cwd`; a failure becomes one line naming the command. */
export function git(args, cwd) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();
  } catch (error) {
    const why = String(error.stderr ?? '').trim().split('\n')[0] || error.message;
    throw new StepError(`git ${args.join(' ')} failed in ${cwd}: ${why}`);
  }
}

/** The commit checked out in `cwd`; a clear error when `cwd` is not a git work tree. */
export function headCommit(cwd) {
  return requireCommit(git(['rev-parse', 'HEAD'], cwd), `HEAD of ${cwd}`);
}

// Workflow commands read '%', CR and LF specially; escape them so a message stays one annotation.
function escapeCommandData(text) {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeCommandProperty(text) {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** A warning line; in Actions also an annotation on the run. */
export function warn(name, message, env = process.env) {
  const text = redact(message);
  if (env.GITHUB_ACTIONS === 'true') process.stderr.write(`::warning title=${escapeCommandProperty(name)}::${escapeCommandData(text)}\n`);
  else process.stderr.write(`${name}: warning: ${text}\n`);
}

/**
 * Runs a script's main function: prints its one-line result to stdout and exits 0, or prints
 * one line naming the failure to stderr (an error annotation and a step-summary entry in
 * Actions) and exits 1.
 */
export async function runStep(name, main, env = process.env) {
  try {
    const line = await main();
    process.stdout.write(`${name}: ${redact(line)}\n`);
    process.exitCode = 0;
  } catch (error) {
    const known = error instanceof StepError;
    const text = redact(known ? error.message : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    if (env.GITHUB_ACTIONS === 'true') {
      process.stderr.write(`::error title=${escapeCommandProperty(name)}::${escapeCommandData(text)}\n`);
      if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `### ❌ ${name}\n\n${text}\n\n`);
    } else {
      process.stderr.write(`${name}: error: ${text}\n`);
    }
    // A bug in the script (not a user problem) keeps its stack, but only when debugging.
    if (!known && env.RUNNER_DEBUG === '1' && error instanceof Error) process.stderr.write(`${redact(error.stack ?? '')}\n`);
    process.exitCode = 1;
  }
}

/** Reads a non-empty UTF-8 text file (a comment or issue body). */
export function readBodyFile(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StepError(`cannot read the body file ${path}: ${error.code ?? error.message}`);
  }
  if (text.trim() === '') throw new StepError(`the body file ${path} is empty; nothing to post`);
  return text;
}

export function positiveInteger(value, name, max = Number.MAX_SAFE_INTEGER) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new StepError(`--${name} must be a whole number from 1 to ${max}, got '${value}'`);
  return n;
}
