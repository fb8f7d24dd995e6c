#!/usr/bin/env node
/**
 * Runs one vault-roster command for a workflow step and turns its exit code into step outputs,
 * so the job can comment first and fail afterwards. The command's own output still streams to
 * the log. The body file gets the command's Markdown when it printed a marked document (any
 * `<!-- vault-roster… -->` first line, as plan --format markdown prints), otherwise a short
 * report of the output in a code block under --marker.
 *
 *   node run-capture.mjs --label plan --body plan.md [--marker M] [--args-file F] [--log F] -- npx --no vault-roster plan …
 *
 * --args-file  a JSON array of strings appended to the command's arguments (the approvals
 *              pr-approvals.mjs wrote), so names and quotes never pass through a shell
 * --log        also write the command's whole output (stdout and stderr as they came, redacted)
 *              to this file, for apply-result.mjs
 *
 * Outputs: exit-code; result = ok (exit 0: valid / no changes / applied), changes (exit 2),
 * error (anything else); stale = true when a failed command said the plan is stale.
 * Exits 0 whenever the command ran (whatever its exit code); 1 only for its own problems.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fenceFor, hasMarker, stripAnsi } from './lib/body.mjs';
import { StepError, parseOptions, redact, registerSecret, requireOption, runStep, setOutputs } from './lib/step.mjs';

const USAGE = 'run-capture.mjs --label NAME --body FILE [--marker M] [--args-file FILE] [--log FILE] -- COMMAND [ARGS…]';
const DEFAULT_MARKER = '<!-- vault-roster-plan -->';
/** How much of each stream a fallback body quotes: the end, where errors are. */
const TAIL_CHARS = 20_000;
/** The first line of every Markdown document vault-roster prints (plan, drift report). */
const MARKDOWN_MARKER = /^\s*<!--\s*vault-roster[\w-]*\s*-->/;
/** Secrets the command may see; masked in the body even though vault-roster never prints them. */
const SECRET_ENV = ['VAULT_PASSWORD', 'VAULT_SESSION_ID', 'VAULT_ACCESS_TOKEN', 'VAULT_OAUTH_CLIENT_SECRET', 'GITHUB_TOKEN', 'GH_TOKEN'];

function resultOf(exitCode) {
  if (exitCode === 0) return 'ok';
  if (exitCode === 2) return 'changes';
  return 'error';
}

const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
const HEADINGS = { ok: 'passed', changes: 'found changes', error: 'failed' };

function tail(text) {
  return text.length <= TAIL_CHARS ? text : `…\n${text.slice(-TAIL_CHARS)}`;
}

function fallbackBody(marker, label, exitCode, result, stdout, stderr) {
  const output = stripAnsi([tail(stdout.trimEnd()), tail(stderr.trimEnd())].filter((s) => s !== '').join('\n')) || '(no output)';
  const fence = fenceFor(output);
  return [
    marker,
    `### vault-roster ${label} ${HEADINGS[result]} (exit code ${exitCode})`,
    '',
    fence + 'text',
    output,
    fence,
    '',
  ].join('\n');
}

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { NO_COLOR: '1', ...process.env } });
    let stdout = '';
    let stderr = '';
    let both = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      both += chunk;
      process.stderr.write(redact(chunk));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      both += chunk;
      process.stderr.write(redact(chunk));
    });
    let notStarted = false;
    child.on('error', (error) => {
      notStarted = true;
      stderr += `cannot start ${command}: ${error.code ?? error.message}\n`;
      both += `cannot start ${command}: ${error.code ?? error.message}\n`;
    });
    child.on('close', (code, signal) => {
      // A command that could not start (ENOENT) is "command not found"; a signal is 128 + its number.
      const exitCode = notStarted ? 127 : (code ?? 128 + (signalNumbers[signal] ?? 0));
      resolve({ exitCode, stdout, stderr, both });
    });
  });
}

/** Extra arguments from a JSON file: an array of strings, or a loud refusal. */
function readArgsFile(path) {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StepError(`cannot read the arguments file ${path}: ${error.code ?? error.message}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string' && !a.includes('\0'))) {
    throw new StepError(`the arguments file ${path} must hold a JSON array of strings`);
  }
  return parsed;
}

function writeText(path, text, what) {
  try {
    writeFileSync(path, redact(text));
  } catch (error) {
    throw new StepError(`cannot write the ${what} ${path}: ${error.code ?? error.message}`);
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const split = argv.indexOf('--');
  if (split === -1 || split === argv.length - 1) throw new StepError(`give the command after '--' (usage: ${USAGE})`);
  const values = parseOptions(
    argv.slice(0, split),
    { label: { type: 'string' }, body: { type: 'string' }, marker: { type: 'string' }, 'args-file': { type: 'string' }, log: { type: 'string' } },
    USAGE,
  );
  const label = requireOption(values, 'label', USAGE);
  const bodyPath = requireOption(values, 'body', USAGE);
  const marker = values.marker ?? DEFAULT_MARKER;
  for (const name of SECRET_ENV) registerSecret(process.env[name]);

  const extra = values['args-file'] === undefined ? [] : readArgsFile(values['args-file']);
  const [command, ...args] = argv.slice(split + 1);
  const { exitCode, stdout, stderr, both } = await run(command, [...args, ...extra]);
  const result = resultOf(exitCode);
  const stale = result === 'error' && /\bstale\b/i.test(`${stdout}\n${stderr}`);
  const body = hasMarker(stdout, marker) || MARKDOWN_MARKER.test(stdout) ? stdout : fallbackBody(marker, label, exitCode, result, stdout, stderr);
  writeText(bodyPath, body, 'body file');
  if (values.log !== undefined) writeText(values.log, both, 'log file');
  setOutputs({ 'exit-code': exitCode, result, stale });
  return `${label}: ${result} (exit code ${exitCode}${stale ? ', stale plan' : ''}); body in ${bodyPath}`;
}

await runStep('run-capture', main);
