/** `vault-roster doctor`: a read-only check of a Vault before the first plan, and `--record` for bug reports. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadDesiredState } from '../../desired/index.js';
import { runDoctor, hasFailure, renderJson, renderText } from '../../doctor/index.js';
import { DiagnosticsError, VaultRosterError } from '../../errors.js';
import type { VaultTarget } from '../../model.js';
import { createEventLogger, debugEnabled, resolveConnection } from '../../vault/index.js';
import { EXIT_ERROR, EXIT_OK, type CliIo, type Command } from '../command.js';
import { deadlineHelp, stringOption, type Values } from '../context.js';

const DEFAULT_API_VERSION = 'v25.2';

const HELP = `Usage: vault-roster doctor [--config roster.yaml] [--format text|json] [--record DIR] [--verbose]

Checks, without changing anything, what vault-roster relies on in a Vault: login and which vault
the session lands in, the API user's rights, the API version, the domain's vaults and
applications, the burst limit, how Retrieve All Users pages (requested vs echoed limit, the
meaning of size, a refused large limit), the raw vault_membership / app_licensing beside what
vault-roster reads from them, Clinical persons, SiteVault and licence usage. Each finding is
OK, WARN or FAIL with what to do. Only reads are sent (GET, plus POST /auth and a VQL POST /query).

Options:
  -c, --config FILE      roster.yaml to take the vault: block from (default: ./roster.yaml when
                         it exists, else the environment alone)
      --format FORMAT    text (default) or json (for CI)
      --record DIR       Also write a redacted capture to DIR: profile.json, seed.json,
                         findings.json, capture.json (replay: vault-roster simulator --capture DIR)
  -v, --verbose          Log every Vault call to stderr (also DEBUG=vault-roster)
${deadlineHelp(26)}
  -h, --help             Show this help

Connection: VAULT_URL, VAULT_USERNAME + VAULT_PASSWORD (or VAULT_SESSION_ID), VAULT_API_VERSION
(default ${DEFAULT_API_VERSION}), VAULT_DNS. Exit codes: 0 no FAIL, 1 a FAIL (or an error).
`;

interface DoctorSource {
  readonly target: VaultTarget;
  readonly sitevault: boolean;
  readonly promotions: boolean;
}

async function doctorSource(values: Values, io: CliIo): Promise<DoctorSource> {
  const given = stringOption(values, 'config');
  const path = resolve(io.cwd, given ?? 'roster.yaml');
  if (given !== undefined || existsSync(path)) {
    const loaded = await loadDesiredState(path, { cwd: io.cwd });
    if (!loaded.ok) throw new DiagnosticsError(`${path} is not valid`, loaded.diagnostics);
    const { state } = loaded;
    return { target: state.target, sitevault: state.sitevault.length > 0, promotions: state.users.some((u) => u.promote_from_person !== undefined) };
  }
  const url = io.env.VAULT_URL;
  return { target: { ...(url === undefined ? {} : { url }), api_version: io.env.VAULT_API_VERSION ?? DEFAULT_API_VERSION }, sitevault: false, promotions: false };
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check a Vault read-only before the first plan (--record: a redacted capture for bug reports)',
  help: HELP,
  options: {
    config: { type: 'string', short: 'c' },
    format: { type: 'string' },
    record: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    deadline: { type: 'string' },
  },
  allowPositionals: false,
  async run(values, _positionals, io) {
    const format = stringOption(values, 'format') ?? 'text';
    if (format !== 'text' && format !== 'json') throw new VaultRosterError('usage', `--format takes text or json, not '${format}'`);
    const record = stringOption(values, 'record');
    const source = await doctorSource(values, io);
    const settings = resolveConnection(source.target, io.env, { deadline: stringOption(values, 'deadline') });
    const verbose = values.verbose === true || debugEnabled(io.env);
    const logger = verbose ? createEventLogger((line) => io.stderr.write(line)) : undefined;
    const { report, written } = await runDoctor({
      settings,
      sitevaultDeclared: source.sitevault,
      promotionsDeclared: source.promotions,
      recordDir: record === undefined ? undefined : resolve(io.cwd, record),
      ...(logger === undefined ? {} : { onEvent: logger }),
      signal: io.signal,
    });
    io.stdout.write(format === 'json' ? renderJson(report) : renderText(report));
    if (written.length > 0) io.stderr.write(`capture written: ${written.join(', ')}\n`);
    return hasFailure(report) ? EXIT_ERROR : EXIT_OK;
  },
};
