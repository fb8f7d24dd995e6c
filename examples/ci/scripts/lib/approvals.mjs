/**
 * Which reviews of a pull request count as approvals of its plan, and how each becomes the
 * `--approved-by` / `--approval-meaning` / `--approval-ref` of `vault-roster apply`. Pure: the
 * script fetches, this decides, so the rules are table-tested.
 *
 * Rules (examples/ci/README.md "Approvals"):
 * - Per reviewer, only their latest review that has a verdict counts: APPROVED, CHANGES_REQUESTED
 *   or DISMISSED (GitHub marks a dismissed approval DISMISSED). COMMENTED and PENDING reviews do
 *   not change a verdict, as on GitHub's own merge box.
 * - That latest verdict must be APPROVED, and (unless `anyCommit`) given on the PR head the
 *   reviewed plan was made at: an approval of an earlier commit approved another plan.
 * - Reviews by bots (user.type Bot) are not a person's signature and never count.
 */

const VERDICTS = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/** The latest review with a verdict per reviewer login (lower-cased), in the order GitHub listed them. */
export function latestVerdicts(reviews) {
  const latest = new Map();
  for (const review of reviews) {
    const login = review?.user?.login;
    if (typeof login !== 'string' || !VERDICTS.has(review.state)) continue;
    const key = login.toLowerCase();
    const seen = latest.get(key);
    // GitHub lists reviews oldest first; submitted_at decides when two arrive out of order.
    if (seen === undefined || String(review.submitted_at ?? '') >= String(seen.submitted_at ?? '')) latest.set(key, review);
  }
  return [...latest.values()];
}

/**
 * Approvals that count, oldest first, and why each other reviewer's verdict does not.
 * @returns {{ counted: object[], skipped: string[] }}
 */
export function countedApprovals(reviews, { head, anyCommit = false }) {
  const counted = [];
  const skipped = [];
  for (const review of latestVerdicts(reviews)) {
    const login = review.user.login;
    if (review.user.type === 'Bot') {
      skipped.push(`${login}: a bot's review is not a person's approval`);
    } else if (review.state !== 'APPROVED') {
      skipped.push(`${login}: latest verdict ${review.state} (${review.submitted_at ?? 'time unknown'})`);
    } else if (!anyCommit && review.commit_id !== head) {
      skipped.push(`${login}: approved commit ${String(review.commit_id ?? 'unknown').slice(0, 7)}, not the head ${head.slice(0, 7)} the plan was made at`);
    } else if (typeof review.submitted_at !== 'string' || review.submitted_at === '') {
      skipped.push(`${login}: the approval has no submitted_at time`);
    } else {
      counted.push(review);
    }
  }
  counted.sort((a, b) => a.submitted_at.localeCompare(b.submitted_at));
  return { counted, skipped };
}

/** `Name`, without the characters `Name <email>` cannot hold; the login when the profile has no name. */
export function printedName(profile, login) {
  const raw = typeof profile?.name === 'string' ? profile.name : '';
  // eslint-disable-next-line no-control-regex
  const clean = raw.replace(/[<>\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return clean === '' ? login : clean;
}

const EMAIL = /^[^<>\s@]+@[^<>\s@]+$/;

/**
 * The public profile email, or GitHub's noreply address for the account. The id-based form
 * (`ID+login@users.noreply.github.com`) names the account even after a rename.
 */
export function approverEmail(profile, login) {
  const email = typeof profile?.email === 'string' ? profile.email.trim() : '';
  if (EMAIL.test(email)) return email;
  return Number.isInteger(profile?.id) ? `${profile.id}+${login}@users.noreply.github.com` : `${login}@users.noreply.github.com`;
}

/**
 * The ref of one approval: where it was given, and when and on which commit, so the journal holds
 * the signature's time even when GitHub is no longer there to ask.
 */
export function approvalRef(review, pr) {
  const where = typeof review.html_url === 'string' && review.html_url !== '' ? review.html_url : `review ${review.id} of PR #${pr}`;
  return `${where} (approved ${review.submitted_at} at commit ${review.commit_id})`;
}

/** The apply arguments for `approvals` ({ by, meaning, ref }), each flag once per approver, in order. */
export function applyArguments(approvals) {
  return approvals.flatMap((a) => ['--approved-by', a.by, '--approval-meaning', a.meaning, '--approval-ref', a.ref, ...(a.at === undefined ? [] : ['--approved-at', a.at])]);
}
