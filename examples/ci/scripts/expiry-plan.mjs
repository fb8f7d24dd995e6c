#!/usr/bin/env node
/**
 * The scheduled expiry check: reads the plan made from main (plan --out) and tells whether it
 * only withdraws access whose valid_until has passed (rules in lib/expiry.mjs). Writes the issue
 * body listing what expired, and why anything else keeps the job from applying.
 *
 *   node expiry-plan.mjs --plan expiry-plan.json --body expiry.md [--apply true|false]
 *                        [--run-url URL]
 *
 * --apply says whether the job will apply an expiry-only plan (the Action input apply-expiries);
 * the body then says so. Nothing here writes to Vault or GitHub.
 * Outputs: expired (grants), others (changes that are not expiries), expiry-only (true | false).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fenceFor } from './lib/body.mjs';
import { classifyPlan } from './lib/expiry.mjs';
import { StepError, parseOptions, requireOption, runStep, setOutputs } from './lib/step.mjs';

const USAGE = 'expiry-plan.mjs --plan FILE --body FILE [--apply true|false] [--run-url URL]';
const MARKER = '<!-- vault-roster-expiry -->';

function readPlan(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StepError(`cannot read the plan ${path}: ${error instanceof SyntaxError ? 'not JSON' : (error.code ?? error.message)} (did plan --out write it?)`);
  }
}

function code(text) {
  return `\`${String(text).replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}

function listBlock(title, lines) {
  if (lines.length === 0) return [];
  const text = lines.join('\n');
  const fence = fenceFor(text);
  return ['', title, '', `${fence}text`, text, fence];
}

function nextStep(result, apply) {
  if (result.expiryOnly && apply) return 'This run applies the plan (Action input `apply-expiries: true`); the result follows below.';
  if (result.expiryOnly) {
    return 'Nothing was applied (Action input `apply-expiries` is false). To withdraw the access now, run this workflow by hand with **apply** ticked, or merge any roster PR (its plan includes these expiries). To keep the access, renew `valid_until` in a PR.';
  }
  return '**Not applied automatically**: the plan from `main` holds more than expiries (below). Those come from a merged change whose apply failed, or from drift; fix that first (see the apply and drift workflows). Expiries are applied with the next roster PR or the next run that finds only expiries.';
}

function body(result, apply, runUrl) {
  const rows = result.expiries.map((e) => `| ${code(e.user)} | ${e.what} | ${e.date} | ${code(e.reason)} |`);
  return [
    MARKER,
    `### ⏰ vault-roster: ${result.expiries.length} time-boxed grant${result.expiries.length === 1 ? '' : 's'} expired`,
    '',
    ...(rows.length === 0 ? ['No grant expired.'] : ['| User | Grant | Expired after | Plan reason |', '| --- | --- | --- | --- |', ...rows]),
    '',
    nextStep(result, apply),
    ...listBlock(`Other changes in the plan (${result.others.length}):`, result.others.map((o) => `${o.subject} ${o.key}: ${o.action} (${o.why})`)),
    ...listBlock('Why the plan is not applied automatically:', result.blockers),
    ...(runUrl === undefined ? [] : ['', `<sub>[Expiry check run](${runUrl})</sub>`]),
    '',
  ].join('\n');
}

async function main() {
  const values = parseOptions(process.argv.slice(2), { plan: { type: 'string' }, body: { type: 'string' }, apply: { type: 'string' }, 'run-url': { type: 'string' } }, USAGE);
  const plan = readPlan(requireOption(values, 'plan', USAGE));
  const bodyPath = requireOption(values, 'body', USAGE);
  const apply = values.apply ?? 'false';
  if (apply !== 'true' && apply !== 'false') throw new StepError(`--apply must be true or false, got '${apply}'`);
  const result = classifyPlan(plan);
  try {
    writeFileSync(bodyPath, body(result, apply === 'true', values['run-url']));
  } catch (error) {
    throw new StepError(`cannot write ${bodyPath}: ${error.code ?? error.message}`);
  }
  setOutputs({ expired: result.expiries.length, others: result.others.length, 'expiry-only': result.expiryOnly });
  const verdict = result.expiryOnly ? 'only expiries' : result.expiries.length === 0 ? 'no expiries' : 'expiries and other changes: not applied automatically';
  return `${result.expiries.length} expired grants, ${result.others.length} other changes, ${result.blockers.length} blockers: ${verdict}`;
}

await runStep('expiry-plan', main);
