/** `vault-roster journal verify FILE`: checks an apply journal's hash chain and names what broke it. */
import { resolve } from 'node:path';
import { legacyPlanId, readPlanFile, verifyJournal, type JournalVerdict } from '../../apply/index.js';
import { planId } from '../../plan/index.js';
import { VaultRosterError } from '../../errors.js';
import { EXIT_ERROR, EXIT_OK, type Command } from '../command.js';
import { stringOption } from '../context.js';

function lines(n: number): string {
  return `${n} ${n === 1 ? 'line' : 'lines'}`;
}

/** What the chained part covers, runs and plan ids, in one line. */
function coverage(v: JournalVerdict): string {
  const runs = `${v.runs} ${v.runs === 1 ? 'run' : 'runs'} (${v.finished_runs} finished)`;
  const plans = v.plan_ids.length === 0 ? '' : `, plan ${v.plan_ids.join(', ')}`;
  return `${lines(v.chained)} chained, ${runs}${plans}`;
}

/** A problem line when the journal holds runs of a plan other than `plan` (FILE and its ids). */
function otherPlans(v: JournalVerdict, plan: { readonly file: string; readonly ids: readonly string[] } | undefined): string[] {
  if (plan === undefined) return [];
  const others = v.plan_ids.filter((id) => !plan.ids.includes(id));
  if (v.runs === 0) return [`  no run_started: no run of ${plan.file} is recorded in this journal`];
  return others.length === 0 ? [] : [`  runs of plan ${others.join(', ')} are in this journal, but ${plan.file} is plan ${plan.ids[0] ?? ''}`];
}

/** The report, and whether the journal passed. */
export function describeVerdict(
  v: JournalVerdict,
  expectHead: string | undefined,
  plan?: { readonly file: string; readonly ids: readonly string[] },
): { readonly text: string; readonly ok: boolean } {
  const out: string[] = [];
  const problems = [...v.problems.map((p) => `  line ${p.line} ${p.why}`), ...otherPlans(v, plan)];
  if (v.more_problems > 0) problems.push(`  …and ${v.more_problems} more`);
  if (expectHead !== undefined && v.head_found_at === undefined && v.chained > 0) {
    problems.push(`  head ${expectHead} is not in this journal: lines were removed from its end, or it is the head of another journal`);
  }
  if (v.chained === 0 && v.problems.length === 0) {
    out.push(`journal ${v.path} is not chained: its ${lines(v.entries)} were written by a vault-roster without the hash chain, so nothing can be verified.`);
    return { text: out.join('\n') + '\n', ok: false };
  }
  const ok = problems.length === 0;
  out.push(ok ? `journal ${v.path}: intact, ${coverage(v)}.` : `journal ${v.path}: the chain is broken (${coverage(v)}):`);
  out.push(...problems);
  if (v.unchained > 0) out.push(`note: the first ${lines(v.unchained)} are not chained (written by an older vault-roster) and cannot be verified.`);
  for (const line of v.torn) out.push(`note: line ${line} was torn by a crash (accepted: a run was cut off while writing it).`);
  if (v.head !== undefined) out.push(`head ${v.head.chain} (line ${v.head.line})`);
  if (expectHead !== undefined && v.head_found_at !== undefined && v.head !== undefined && v.head_found_at !== v.head.line) {
    out.push(`note: head ${expectHead} is line ${v.head_found_at}; the lines after it were written later (another run of the plan).`);
  }
  return { text: out.join('\n') + '\n', ok };
}

export const journalCommand: Command = {
  name: 'journal',
  summary: "Check an apply journal's hash chain (journal verify FILE)",
  help: `Usage: vault-roster journal verify FILE [--head HASH] [--plan plan.json]

Checks an apply journal (.vault-roster/journal/<plan id>.jsonl): every line must be JSON with the
fields replay needs, and carry a 'chain' field equal to sha256(previous line's chain + the line
without its chain field). An edited line, or a line removed or inserted before it, is named by
its line number. A line torn by a crash is accepted where apply accepts it (last, or right
before a run_started). A journal written before the chain existed is reported as not chained.

Removing lines from the end leaves a shorter chain that is still sound: pass the head apply
printed ('journal: FILE (head HASH)') as --head to check that nothing after it was cut.

Options:
      --head HASH   The chain apply printed at the end of a run: must be in the journal
      --plan FILE   The saved plan: every run in the journal must be a run of it (by plan id)
  -h, --help        Show this help

Exit codes: 0 intact, 1 broken, not chained, or unreadable.
`,
  options: {
    head: { type: 'string' },
    plan: { type: 'string' },
  },
  allowPositionals: true,
  run(values, positionals, io) {
    const [action, file, ...rest] = positionals;
    if (action !== 'verify' || file === undefined || rest.length > 0) {
      throw new VaultRosterError('usage', `journal takes 'verify FILE', got '${positionals.join(' ')}'`, { hint: "run 'vault-roster journal verify .vault-roster/journal/<plan id>.jsonl'." });
    }
    const head = stringOption(values, 'head');
    if (head !== undefined && !/^[0-9a-f]{64}$/.test(head)) {
      throw new VaultRosterError('usage', `--head '${head}' is not a chain (64 lowercase hex digits)`, { hint: "copy it from apply's line 'journal: FILE (head HASH)'." });
    }
    const planFile = stringOption(values, 'plan');
    // An older vault-roster recorded the plan under its 16-digit id: both name the same plan.
    const saved = planFile === undefined ? undefined : readPlanFile(resolve(io.cwd, planFile));
    const plan = saved === undefined || planFile === undefined ? undefined : { file: planFile, ids: [planId(saved), legacyPlanId(saved)] };
    const verdict = verifyJournal(resolve(io.cwd, file), head);
    const { text, ok } = describeVerdict({ ...verdict, path: file }, head, plan);
    (ok ? io.stdout : io.stderr).write(text);
    return Promise.resolve(ok ? EXIT_OK : EXIT_ERROR);
  },
};
