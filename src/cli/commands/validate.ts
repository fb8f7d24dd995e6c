/** `vault-roster validate`: offline check of a desired-state repo; prints every diagnostic at once. */
import { resolve } from 'node:path';
import { loadDesiredState } from '../../desired/index.js';
import { formatDiagnosticsJson, formatDiagnosticsText } from '../../diagnostics.js';
import { VaultRosterError } from '../../errors.js';
import { EXIT_ERROR, EXIT_OK, type Command } from '../command.js';

const FORMATS = ['text', 'json'] as const;

/** `1 user`, `3 users`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check roster.yaml and its included files offline (schema and rules)',
  help: `Usage: vault-roster validate [--config roster.yaml] [--format text|json]

Reads the config and every file its include globs match, checks them against the JSON Schemas
in specs/ and the semantic rules (duplicates, license permissiveness, SiteVault roles, groups ...),
and prints every problem at once with file:line:col and a hint. Never contacts Vault.

Options:
  -c, --config FILE   Config file (default: roster.yaml in the current directory)
  -f, --format FMT    text (default) or json
  -h, --help          Show this help

Exit codes: 0 valid (warnings allowed), 1 invalid.
`,
  options: {
    config: { type: 'string', short: 'c' },
    format: { type: 'string', short: 'f' },
  },
  allowPositionals: false,
  async run(values, _positionals, io) {
    const format = typeof values.format === 'string' ? values.format : 'text';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new VaultRosterError('usage', `unknown format '${format}'`, { hint: 'use --format text or --format json.' });
    }
    const config = typeof values.config === 'string' ? values.config : 'roster.yaml';
    const result = await loadDesiredState(resolve(io.cwd, config), { cwd: io.cwd });
    if (format === 'json') {
      io.stdout.write(formatDiagnosticsJson(result.diagnostics));
      return result.ok ? EXIT_OK : EXIT_ERROR;
    }
    if (!result.ok) {
      io.stderr.write(formatDiagnosticsText(result.diagnostics));
      return EXIT_ERROR;
    }
    if (result.diagnostics.length > 0) io.stderr.write(formatDiagnosticsText(result.diagnostics));
    const { users, sitevault, groups, files } = result.state;
    const counts = [count(users.length, 'user'), count(sitevault.length, 'SiteVault person')];
    // Groups are counted only when the repo manages them (includes a groups file).
    if (groups !== undefined) counts.push(count(groups.length, 'group'));
    io.stdout.write(`valid: ${counts.join(', ')} in ${count(files.length, 'file')}\n`);
    return EXIT_OK;
  },
};
