/** `vault-roster validate`: offline check of a desired-state repo; prints every diagnostic at once. */
import { resolve } from 'node:path';
import { loadDesiredState } from '../../desired/index.js';
import { formatDiagnosticsJson, formatDiagnosticsText } from '../../diagnostics.js';
import { VaultRosterError } from '../../errors.js';
import { EXIT_ERROR, EXIT_OK, type Command } from '../command.js';

const FORMATS = ['text', 'json'] as const;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check roster.yaml and its included files offline (schema and rules)',
  help: `Usage: vault-roster validate [--config roster.yaml] [--format text|json]

Reads the config and every file its include globs match, checks them against the JSON Schemas
in specs/ and the semantic rules (duplicates, license permissiveness, SiteVault roles, ...),
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
    const { users, sitevault, files } = result.state;
    io.stdout.write(
      `valid: ${users.length} user${users.length === 1 ? '' : 's'}, ${sitevault.length} SiteVault person${sitevault.length === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}\n`,
    );
    return EXIT_OK;
  },
};
