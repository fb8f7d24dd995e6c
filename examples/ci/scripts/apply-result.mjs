#!/usr/bin/env node
/**
 * Reads the result of `vault-roster apply` from its log (run-capture.mjs --log) for the next
 * steps: the plan id names the evidence artifact, and with --body the result is written as the
 * comment posted back to the merged pull request (sticky-comment.mjs --marker
 * '<!-- vault-roster-apply -->'): outcome, counts, failed rows, plan id, journal and its head,
 * approvals, and the evidence bundle's artifact link.
 *
 *   node apply-result.mjs --log apply.log --exit-code N [--evidence-dir DIR]
 *                         [--body FILE] [--approvers LOGINS] [--artifact-name N] [--artifact-url URL]
 *                         [--retention-days N] [--run-url URL] [--commit SHA]
 *
 * Outputs: outcome (applied | failed | already-applied | refused), plan-id, journal-head, failed
 * (rows), evidence (true when --evidence-dir holds files to upload).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fenceFor } from './lib/body.mjs';
import { logTail, parseApplyLog } from './lib/apply-log.mjs';
import { StepError, parseOptions, requireOption, runStep, setOutputs } from './lib/step.mjs';

const USAGE =
  'apply-result.mjs --log FILE --exit-code N [--evidence-dir DIR] [--body FILE] [--approvers LOGINS] [--artifact-name N] [--artifact-url URL] [--retention-days N] [--run-url URL] [--commit SHA]';
const MARKER = '<!-- vault-roster-apply -->';
/** Failed rows listed in the comment; the rest are in the run log and the journal. */
const MAX_LISTED = 30;

const HEADINGS = {
  applied: '✅ vault-roster applied the reviewed plan',
  'already-applied': '✅ vault-roster: the reviewed plan was already applied in full',
  failed: '❌ vault-roster apply finished with failed rows',
  refused: '⛔ vault-roster apply was refused: nothing was applied by this run',
};

function readLog(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StepError(`cannot read the apply log ${path}: ${error.code ?? error.message} (did the apply step run with run-capture.mjs --log?)`);
  }
}

function hasFiles(dir) {
  return dir !== undefined && existsSync(dir) && readdirSync(dir).length > 0;
}

function code(text) {
  return `\`${String(text).replace(/`/g, "'")}\``;
}

function evidenceLine(values, evidence) {
  if (!evidence) return values['evidence-dir'] === undefined ? 'not made (the Action input evidence is false)' : 'not made (apply wrote no bundle; see the run log)';
  const name = values['artifact-name'] ?? '';
  const kept = values['retention-days'] === undefined ? '' : `, kept ${values['retention-days']} days`;
  const url = values['artifact-url'] ?? '';
  return url === '' ? `artifact ${code(name)}${kept} (upload failed? see the run)` : `[${name}](${url})${kept}`;
}

function failureBlock(failures) {
  if (failures.length === 0) return [];
  const lines = failures.slice(0, MAX_LISTED).map((f) => `${f.key}: ${f.type}: ${f.message}`);
  if (failures.length > MAX_LISTED) lines.push(`… and ${failures.length - MAX_LISTED} more (see the run log and the journal)`);
  const text = lines.join('\n');
  const fence = fenceFor(text);
  return ['', `**Failed rows (${failures.length})**: fix the cause, then re-run the apply workflow; rows already applied are skipped.`, '', `${fence}text`, text, fence];
}

function refusalBlock(result, log) {
  if (result.outcome !== 'refused') return [];
  const tail = logTail(log);
  const fence = fenceFor(tail);
  return ['', 'Why, from the end of the apply log:', '', `${fence}text`, tail || '(no output)', fence];
}

function resultBody(result, log, values, evidence) {
  const approvers = (values.approvers ?? '').split(',').filter((l) => l !== '');
  const rows = [
    ['Plan id', result.planId === undefined ? 'not reached' : code(result.planId)],
    ['Result', result.countsText ?? (result.outcome === 'already-applied' ? 'nothing to send' : 'none')],
    ['Journal', result.journal === undefined ? 'none' : `${code(result.journal)}${result.journalHead === undefined ? '' : `, head ${code(result.journalHead)}`}`],
    ['Approvals', approvers.length === 0 ? 'none recorded' : `${approvers.length}: ${approvers.map((l) => `@${l}`).join(', ')}`],
    ['Evidence bundle', evidenceLine(values, evidence)],
  ];
  if (values.commit !== undefined) rows.push(['Commit', code(values.commit)]);
  if (values['run-url'] !== undefined) rows.push(['Workflow run', `[apply run](${values['run-url']})`]);
  return [
    MARKER,
    `### ${HEADINGS[result.outcome]}${result.resumed ? ' (resumed an interrupted run)' : ''}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    ...failureBlock(result.failures),
    ...refusalBlock(result, log),
    '',
  ].join('\n');
}

async function main() {
  const values = parseOptions(
    process.argv.slice(2),
    {
      log: { type: 'string' },
      'exit-code': { type: 'string' },
      'evidence-dir': { type: 'string' },
      body: { type: 'string' },
      approvers: { type: 'string' },
      'artifact-name': { type: 'string' },
      'artifact-url': { type: 'string' },
      'retention-days': { type: 'string' },
      'run-url': { type: 'string' },
      commit: { type: 'string' },
    },
    USAGE,
  );
  const log = readLog(requireOption(values, 'log', USAGE));
  const exitCode = Number(requireOption(values, 'exit-code', USAGE));
  if (!Number.isInteger(exitCode) || exitCode < 0) throw new StepError(`--exit-code must be the apply step's exit code, got '${values['exit-code']}'`);
  const result = parseApplyLog(log, exitCode);
  // The Action passes an empty --evidence-dir when its input evidence is false.
  if (values['evidence-dir'] === '') delete values['evidence-dir'];
  const evidence = result.planId !== undefined && hasFiles(values['evidence-dir']);
  if (values.body !== undefined) {
    try {
      writeFileSync(values.body, resultBody(result, log, values, evidence));
    } catch (error) {
      throw new StepError(`cannot write ${values.body}: ${error.code ?? error.message}`);
    }
  }
  setOutputs({ outcome: result.outcome, 'plan-id': result.planId ?? '', 'journal-head': result.journalHead ?? '', failed: result.failures.length, evidence });
  return `apply ${result.outcome}; plan ${result.planId ?? 'not reached'}; ${result.failures.length} failed rows; evidence ${evidence ? 'to upload' : 'none'}`;
}

await runStep('apply-result', main);
