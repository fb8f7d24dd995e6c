/**
 * Reads what `vault-roster apply` (text format) printed: the plan id it shows before the first
 * call, the counts line, each failed row, and the journal with its chain head. Pure, so the
 * parsing is table-tested against the lines apply writes (src/cli/commands/apply.ts).
 */

const PLAN_ID = /^plan id: ([0-9a-f]{64})$/m;
const COUNTS = /^Apply (complete|finished with failures): (.+?)\.( \(resumed an interrupted run\))?$/m;
const FAILED_ROW = /^ {2}failed: (\S+): ([^:\s]+): (.*)$/gm;
const JOURNAL = /^journal: (.+?)(?: \(head ([0-9a-f]+)\))?$/m;
const ALREADY = /^.* was already applied in full \(journal (.+)\); nothing to send\.$/m;
/** `created 1, updated 2, …, failed 0` as apply's formatCounts writes it. */
const COUNT_PART = /^([A-Za-z][A-Za-z ]*?) (\d+)$/;

function parseCounts(text) {
  const counts = {};
  for (const part of text.split(', ')) {
    const match = COUNT_PART.exec(part.trim());
    if (match === null) return undefined;
    counts[match[1]] = Number(match[2]);
  }
  return counts;
}

/**
 * @returns {{ outcome: 'applied' | 'failed' | 'already-applied' | 'refused', planId?: string,
 *   counts?: Record<string, number>, countsText?: string, failures: { key: string, type: string, message: string }[],
 *   journal?: string, journalHead?: string, resumed: boolean }}
 * `refused`: apply stopped before it reported counts (stale plan, guard, login, usage): the log says why.
 */
export function parseApplyLog(log, exitCode) {
  const planId = PLAN_ID.exec(log)?.[1];
  const countsMatch = COUNTS.exec(log);
  const journalMatch = JOURNAL.exec(log);
  const already = ALREADY.exec(log);
  const failures = [...log.matchAll(FAILED_ROW)].map((m) => ({ key: m[1], type: m[2], message: m[3] }));
  const base = {
    ...(planId === undefined ? {} : { planId }),
    failures,
    resumed: countsMatch?.[3] !== undefined,
    ...(journalMatch === null ? {} : { journal: journalMatch[1], ...(journalMatch[2] === undefined ? {} : { journalHead: journalMatch[2] }) }),
  };
  if (already !== null && exitCode === 0) return { ...base, outcome: 'already-applied', journal: base.journal ?? already[1] };
  if (countsMatch === null) return { ...base, outcome: 'refused' };
  const counts = parseCounts(countsMatch[2]);
  const outcome = exitCode === 0 && countsMatch[1] === 'complete' ? 'applied' : 'failed';
  return { ...base, outcome, countsText: countsMatch[2], ...(counts === undefined ? {} : { counts }) };
}

/** The last `lines` lines of the log that say something, for a refusal's excerpt. */
export function logTail(log, lines = 15) {
  return log
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n');
}
