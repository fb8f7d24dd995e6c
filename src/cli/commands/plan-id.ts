/** `vault-roster plan-id plan.json`: prints the plan's id, the one its PR comment, apply and journal show. */
import { resolve } from 'node:path';
import { readPlanFile } from '../../apply/index.js';
import { VaultRosterError } from '../../errors.js';
import { planId } from '../../plan/index.js';
import { EXIT_OK, type Command } from '../command.js';

export const planIdCommand: Command = {
  name: 'plan-id',
  summary: 'Print the id of a saved plan (as its PR comment, apply and journal show it)',
  help: `Usage: vault-roster plan-id plan.json

Prints the plan's id: the sha256 (64 hex digits) of the plan document in the JSON
Canonicalization Scheme (RFC 8785: no whitespace, keys sorted at every level). The text plan and
the PR comment show it, apply prints it before its first call and names its journal
(.vault-roster/journal/<plan id>.jsonl) by it, and every run_started entry records it: it ties a
reviewed plan to the run that applied it. Reformatting the file does not change it; any edit does.
The file is checked first (JSON, plan format and schema) like apply checks it.

Options:
  -h, --help   Show this help

Exit codes: 0 printed, 1 the file is missing or not a plan.
`,
  options: {},
  allowPositionals: true,
  run(_values, positionals, io) {
    const [file, ...rest] = positionals;
    if (file === undefined || rest.length > 0) {
      throw new VaultRosterError('usage', `plan-id takes one plan file, got ${positionals.length}`, { hint: "run 'vault-roster plan-id plan.json' (a file written by 'plan --out')." });
    }
    io.stdout.write(`${planId(readPlanFile(resolve(io.cwd, file)))}\n`);
    return Promise.resolve(EXIT_OK);
  },
};
