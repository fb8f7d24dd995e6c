/** `summary.md` of a bundle: one page a person reads first; the JSON files hold the detail. */
import type { JournalVerdict } from '../apply/index.js';
import type { Plan } from '../plan/index.js';
import type { ChangeEvidence, ReadBack } from './changes.js';
import type { RunRecord } from './journal-runs.js';

/** Rows of the change table on the page; the rest are counted and left to changes.json. */
const MAX_ROWS = 40;

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/`/g, "'");
}

function actorOf(run: RunRecord): string {
  const actor = run.started.actor;
  if (actor === undefined) return 'not recorded (journal of an older vault-roster)';
  const os = `${actor.os_user ?? 'unknown OS user'}@${actor.host}`;
  const ci = actor.ci === undefined ? '' : `; ${actor.ci.system} actor ${actor.ci.actor ?? '?'}${actor.ci.run_url === undefined ? '' : `, run ${actor.ci.run_url}`}`;
  return cell(os + ci);
}

function counts(run: RunRecord): string {
  if (run.finished === null) return 'not finished (interrupted or cut off)';
  return cell(Object.entries(run.finished.counts).map(([k, v]) => `${k} ${v}`).join(', '));
}

function readBackLine(readBack: ReadBack, changes: readonly ChangeEvidence[]): string {
  if (readBack.status === 'skipped') return `**Not read back** from Vault: ${readBack.why}. The "after" of each change is the plan's intended value only.`;
  const read = changes.filter((c) => c.after_read_back.status === 'read');
  const differ = read.filter((c) => c.after_read_back.status === 'read' && !c.after_read_back.matches_intended);
  return `Read back from vault ${readBack.vault_id} at ${readBack.at}: ${read.length} of ${changes.length} changes read, ${differ.length} ${differ.length === 1 ? 'differs' : 'differ'} from the intended after${differ.length === 0 ? '' : ` (${differ.slice(0, 10).map((c) => cell(c.key)).join(', ')})`}.`;
}

/** A review record (`vault-roster review record`) copied into a bundle, as far as the summary names it. */
export interface ReviewRecordRef {
  readonly file: string;
  readonly reviewer: string;
  readonly date: string;
}

export interface SummaryInput {
  readonly plan: Plan;
  readonly planId: string;
  readonly runs: readonly RunRecord[];
  readonly verdict: JournalVerdict;
  readonly changes: readonly ChangeEvidence[];
  readonly readBack: ReadBack;
  /** Review records of this plan copied into the bundle. */
  readonly reviews: readonly ReviewRecordRef[];
}

export function summaryMarkdown(input: SummaryInput): string {
  const { plan, runs, verdict, changes } = input;
  const out: string[] = [`# Access change evidence: plan ${input.planId}`, ''];
  out.push(`- **Vault** ${plan.target.vault_id} (${cell(plan.target.url)})`);
  out.push(`- **Desired files** at commit ${plan.git_commit ?? 'none (the plan was made outside git)'}${plan.git_dirty === true ? ' **with uncommitted changes**' : ''}; digest ${plan.desired_digest}`);
  out.push(`- **Plan** made ${plan.created_at} by vault-roster ${plan.tool_version}`);
  const intact = verdict.problems.length === 0 && verdict.chained > 0;
  out.push(`- **Journal** ${intact ? 'intact' : '**chain broken or not chained**'}: ${verdict.entries} lines, head ${verdict.head?.chain ?? 'none'}`);
  out.push('', '## Approvals', '');
  const approvals = runs.flatMap((r) => (r.started.approvals ?? []).map((a) => ({ a, at: r.started.at })));
  if (approvals.length === 0) out.push('No approval was recorded (apply was run without `--approved-by`).');
  else {
    out.push('| Approver | Meaning | Reference | Approved at (UTC) | Recorded (run start, UTC) |', '| --- | --- | --- | --- | --- |');
    for (const { a, at } of approvals) out.push(`| ${cell(a.by)} | ${cell(a.meaning)} | ${cell(a.ref ?? '')} | ${a.at ?? 'not given'} | ${at} |`);
  }
  if (input.reviews.length > 0) {
    out.push('', '## Access reviews carried out by this plan', '');
    for (const r of input.reviews) out.push(`- ${cell(r.reviewer)}, ${r.date}: decisions per user in \`${r.file}\``);
  }
  out.push('', '## Runs', '', '| Started | Finished | Run by | Counts |', '| --- | --- | --- | --- |');
  for (const run of runs) out.push(`| ${run.started.at} | ${run.finished?.at ?? '—'} | ${actorOf(run)} | ${counts(run)} |`);
  if (runs.length === 0) out.push('| — | — | — | no run recorded |');
  const by = (o: ChangeEvidence['outcome']): number => changes.filter((c) => c.outcome === o).length;
  out.push('', '## What changed', '', `${changes.length} changes: ${by('applied')} applied, ${by('failed')} failed, ${by('not-sent')} not sent.`, '', readBackLine(input.readBack, changes), '');
  out.push('| Subject | Key | Action | Outcome | Fields |', '| --- | --- | --- | --- | --- |');
  for (const c of changes.slice(0, MAX_ROWS)) out.push(`| ${c.subject} | ${cell(c.key)} | ${c.action} | ${c.outcome} | ${cell(Object.keys(c.intended_after).join(', '))} |`);
  if (changes.length > MAX_ROWS) out.push('', `…and ${changes.length - MAX_ROWS} more in changes.json.`);
  const failed = changes.flatMap((c) => c.rows.filter((r) => !r.ok).map((r) => `- ${cell(c.key)} (${r.op_id}): ${cell(r.error_type ?? '')}: ${cell(r.message ?? '')}`));
  out.push('', '## Failures', '', ...(failed.length === 0 ? ['None.'] : failed.slice(0, MAX_ROWS)));
  out.push(
    '',
    '## How to verify',
    '',
    '```',
    'vault-roster evidence verify <this folder>      # every file digest, the journal chain, the plan id',
    'vault-roster plan-id plan.json                  # prints the plan id above',
    `vault-roster journal verify journal.jsonl --head ${verdict.head?.chain ?? '<head>'}`,
    '```',
    '',
    'Compare the plan id with the pull request comment (**Plan id**) and the apply output (`plan id:`); compare the journal head with the one apply printed in the CI log.',
    '',
  );
  return out.join('\n');
}
