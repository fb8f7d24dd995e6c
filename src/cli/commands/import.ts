/** `vault-roster import`: write today's Vault users (and known SiteVault persons) as a desired-state repo. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { loadDesiredState } from '../../desired/index.js';
import { DiagnosticsError, VaultRosterError } from '../../errors.js';
import { DEFAULT_MAX_ITEMS_PER_FILE, exportDesiredState, IMPORT_MARKER } from '../../import/index.js';
import { bundledSchemas, isVaultRosterSchema, SCHEMAS_FOLDER } from '../../import/schemas.js';
import type { VaultTarget } from '../../model.js';
import { DEFAULT_POLICY } from '../../model.js';
import { nextBaseline, STATE_FORMAT_VERSION, writeStateFile } from '../../state/index.js';
import { EXIT_OK, type CliIo, type Command } from '../command.js';
import { connect, deadlineHelp, readLive, stringOption, type Values } from '../context.js';

const DEFAULT_API_VERSION = 'v25.2';

function parseVaults(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const ids = raw.split(',').map((s) => Number(s.trim()));
  if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new VaultRosterError('usage', `--vaults takes vault ids separated by commas, not '${raw}'`, { hint: 'e.g. --vaults 3003,4004' });
  }
  return ids;
}

/** Where import connects and what it carries over: from an existing roster.yaml (--config), or the environment alone. */
interface ImportSource {
  readonly target: VaultTarget;
  readonly statePath: string;
  readonly protectedUsers: readonly string[];
}

async function importSource(values: Values, io: CliIo, outDir: string): Promise<ImportSource> {
  const config = stringOption(values, 'config');
  if (config !== undefined) {
    const loaded = await loadDesiredState(resolve(io.cwd, config), { cwd: io.cwd });
    if (!loaded.ok) throw new DiagnosticsError(`${config} is not valid`, loaded.diagnostics);
    return { target: loaded.state.target, statePath: loaded.state.state_path, protectedUsers: loaded.state.policy.protected_users };
  }
  const url = io.env.VAULT_URL;
  const target: VaultTarget = { ...(url === undefined ? {} : { url }), api_version: io.env.VAULT_API_VERSION ?? DEFAULT_API_VERSION };
  return { target, statePath: join(outDir, '.vault-roster', 'state.json'), protectedUsers: DEFAULT_POLICY.protected_users };
}

/** A file import wrote: its marker is on one of its first lines. */
function writtenByImport(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').split('\n', 3).includes(IMPORT_MARKER);
  } catch {
    return false;
  }
}

function positiveCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new VaultRosterError('usage', `--max-users-per-file takes a whole number of at least 1, not '${text}'`);
  return n;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Write the users Vault has today as a desired-state repo (roster.yaml + YAML files)',
  help: `Usage: vault-roster import [--out DIR] [--config roster.yaml] [--vaults 3003,4004]
                           [--split-by vault|none] [--max-users-per-file N] [--force] [--verbose]

Reads live users (memberships, app licenses, domain flags, editable fields) and the session
vault's user-managed groups (explicit members), and writes roster.yaml plus users/*.yaml,
groups/groups.yaml (and sitevault/persons.yaml from the state file), with the values most users
share factored into defaults:, and the JSON Schemas in schemas/ (each YAML file's $schema comment
points there, so editors complete and check it wherever vault-roster is installed). Right after
import, 'vault-roster plan' shows no changes. System-owned users are left out; the authenticated user is listed as protected.

Options:
  -o, --out DIR          Folder to write (default: current directory)
  -c, --config FILE      Take the vault: block and state file from an existing roster.yaml
      --vaults IDS       Only users with a membership in these vaults (comma-separated)
      --split-by MODE    vault (default: one users file per primary vault) or none (one file)
      --max-users-per-file N
                         Split a larger group into parts -01, -02, … (default ${DEFAULT_MAX_ITEMS_PER_FILE})
      --force            Overwrite files that exist, and remove import's own earlier files
                         (those carrying its marker line) that this import does not write
  -v, --verbose          Log every Vault call to stderr (also DEBUG=vault-roster)
${deadlineHelp(26)}
  -h, --help             Show this help

Connection: VAULT_URL, VAULT_USERNAME + VAULT_PASSWORD (or VAULT_SESSION_ID), VAULT_API_VERSION
(default ${DEFAULT_API_VERSION}), VAULT_DNS. Exit codes: 0 written, 1 error (nothing written).
`,
  options: {
    out: { type: 'string', short: 'o' },
    config: { type: 'string', short: 'c' },
    vaults: { type: 'string' },
    'split-by': { type: 'string' },
    'max-users-per-file': { type: 'string' },
    force: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    deadline: { type: 'string' },
  },
  allowPositionals: false,
  async run(values, _positionals, io) {
    const splitBy = stringOption(values, 'split-by') ?? 'vault';
    if (splitBy !== 'vault' && splitBy !== 'none') {
      throw new VaultRosterError('usage', `--split-by takes vault or none, not '${splitBy}'`);
    }
    const vaults = parseVaults(stringOption(values, 'vaults'));
    const maxItemsPerFile = positiveCount(stringOption(values, 'max-users-per-file'));
    const outDir = resolve(io.cwd, stringOption(values, 'out') ?? '.');
    const source = await importSource(values, io, outDir);
    const connection = connect(source.target, values, io);
    let pages = 0;
    const stop = connection.subscribe((event) => {
      if (event.type === 'response' && event.path.includes('/objects/users?')) {
        pages += 1;
        if (io.stderr.isTTY === true) io.stderr.write(`\rreading users: ${pages} page(s)`);
      }
    });
    // No declared users: no Clinical persons are read; groups are, to write groups files.
    const { live } = await readLive(connection, { statePath: source.statePath, needs: { promotions: false, groups: true } });
    stop();
    if (io.stderr.isTTY === true) io.stderr.write('\n');
    const result = exportDesiredState(live, {
      target: source.target,
      splitBy,
      ...(vaults === undefined ? {} : { vaults }),
      specsPath: SCHEMAS_FOLDER,
      protectedUsers: source.protectedUsers,
      ...(maxItemsPerFile === undefined ? {} : { maxItemsPerFile }),
    });
    const files = new Map(result.files);
    const schemas = [...bundledSchemas()].map(([name, text]): [string, string] => [`${SCHEMAS_FOLDER}/${name}`, text]);
    for (const [path, text] of schemas) files.set(path, text);
    // A schema an earlier import or `schemas --write` left is ours to refresh; any other file there is a clash.
    const clashes = [...files.keys(), '.vault-roster/state.json'].filter(
      (p) => existsSync(join(outDir, p)) && !(p.startsWith(`${SCHEMAS_FOLDER}/`) && isVaultRosterSchema(readFileSync(join(outDir, p), 'utf8'))),
    );
    if (clashes.length > 0 && values.force !== true) {
      throw new VaultRosterError('import-exists', `${clashes.length} file(s) already exist in ${outDir}: ${clashes.slice(0, 5).join(', ')}`, {
        hint: 'Import into an empty folder (--out DIR) or pass --force to overwrite.',
      });
    }
    // Other YAML files under users/, sitevault/ or groups/ would be included beside the new ones and clash.
    const others = (await glob(['users/**/*.yaml', 'sitevault/**/*.yaml', 'groups/**/*.yaml'], { cwd: outDir })).filter((p) => !files.has(p)).sort();
    // With --force, import's own earlier files (another split, fewer parts) go; anything else stays and stops it.
    const replaceable = values.force === true ? others.filter((p) => writtenByImport(join(outDir, p))) : [];
    const strays = others.filter((p) => !replaceable.includes(p));
    if (strays.length > 0) {
      throw new VaultRosterError('import-exists', `${strays.length} other YAML file(s) in ${outDir} would be included beside the import: ${strays.slice(0, 5).join(', ')}`, {
        hint: 'They were not written by import (no marker line): remove them (they are in git history) or import into an empty folder.',
      });
    }
    for (const path of replaceable) rmSync(join(outDir, path));
    for (const [path, content] of files) {
      const full = join(outDir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    // Read back what was written: it must be valid, and it is the first drift baseline.
    const written = await loadDesiredState(join(outDir, 'roster.yaml'), { cwd: io.cwd });
    if (!written.ok) throw new DiagnosticsError(`import wrote an invalid repo in ${outDir} (a vault-roster bug; please report it)`, written.diagnostics);
    const now = new Date().toISOString();
    writeStateFile(written.state.state_path, {
      format_version: STATE_FORMAT_VERSION,
      vault_id: live.vault_id,
      updated_at: now,
      sitevault: Object.fromEntries(live.sitevault),
      baseline: nextBaseline(undefined, written.state, live.users.keys(), new Set(), now),
    });
    const groups = live.groups === undefined ? '' : `, ${result.groups} ${result.groups === 1 ? 'group' : 'groups'}`;
    io.stdout.write(`imported ${result.users} users${groups} and ${result.persons} SiteVault persons into ${result.files.size} files in ${outDir}, with ${schemas.length} JSON Schemas in ${SCHEMAS_FOLDER}/\n`);
    return EXIT_OK;
  },
};
