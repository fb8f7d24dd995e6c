/** `vault-roster schemas --write DIR`: copy the JSON Schemas into a roster repository for editors. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { VaultRosterError } from '../../errors.js';
import { bundledSchemas, isVaultRosterSchema, SCHEMAS_FOLDER } from '../../import/schemas.js';
import { EXIT_OK, type Command } from '../command.js';
import { stringOption } from '../context.js';

/** Which YAML file points at which schema: the lines to paste, relative to roster.yaml's folder. */
const MODELINES: readonly [string, string][] = [
  ['roster.yaml', 'roster.schema.json'],
  ['users/*.yaml', 'users.schema.json'],
  ['sitevault/*.yaml', 'sitevault.schema.json'],
  ['groups/*.yaml', 'groups.schema.json'],
];

/** Files in the target folder that would be replaced but are not vault-roster schemas. */
function foreignFiles(dir: string, names: Iterable<string>): string[] {
  return [...names].filter((name) => {
    const path = join(dir, name);
    return existsSync(path) && !isVaultRosterSchema(readFileSync(path, 'utf8'));
  });
}

function hints(outDir: string, cwd: string, names: ReadonlySet<string>): string {
  const folder = relative(cwd, outDir).split('\\').join('/') || '.';
  const lines = MODELINES.filter(([, schema]) => names.has(schema)).map(([yaml, schema]) => {
    const depth = yaml.includes('/') ? '../' : '';
    return `  ${yaml.padEnd(17)} # yaml-language-server: $schema=${depth}${folder}/${schema}`;
  });
  return `First line of each YAML file (paths as seen from roster.yaml in ${cwd}):\n${lines.join('\n')}\n`;
}

export const schemasCommand: Command = {
  name: 'schemas',
  summary: 'Copy the JSON Schemas into a roster repo so editors complete and check its YAML',
  help: `Usage: vault-roster schemas --write DIR [--force]

Writes every JSON Schema vault-roster ships (roster, users, SiteVault, plan, state, ...) into
DIR, so the '# yaml-language-server: $schema=...' line of each YAML file can point at them
with a relative path that works on every machine, whatever the install layout. Commit DIR and
re-run after upgrading vault-roster. 'vault-roster import' does this itself (into ${SCHEMAS_FOLDER}/).
Schemas DIR already holds are replaced; any other file of the same name is left alone unless
--force.

Options:
  -w, --write DIR  Folder to write (created if missing); ${SCHEMAS_FOLDER} is the usual one
      --force      Also replace files of the same name that are not vault-roster schemas
  -h, --help       Show this help

Exit codes: 0 written, 1 error (nothing written).
`,
  options: {
    write: { type: 'string', short: 'w' },
    force: { type: 'boolean' },
  },
  allowPositionals: false,
  run(values, _positionals, io) {
    const target = stringOption(values, 'write');
    if (target === undefined) {
      throw new VaultRosterError('usage', 'schemas needs --write DIR', { hint: `e.g. vault-roster schemas --write ${SCHEMAS_FOLDER}` });
    }
    const outDir = resolve(io.cwd, target);
    const schemas = bundledSchemas();
    const foreign = values.force === true ? [] : foreignFiles(outDir, schemas.keys());
    if (foreign.length > 0) {
      throw new VaultRosterError('import-exists', `${foreign.length} file(s) in ${outDir} are not vault-roster schemas: ${foreign.join(', ')}`, {
        hint: 'Write to another folder, or pass --force to replace them.',
      });
    }
    mkdirSync(outDir, { recursive: true });
    for (const [name, text] of schemas) writeFileSync(join(outDir, name), text);
    io.stdout.write(`wrote ${schemas.size} JSON Schemas to ${outDir}: ${[...schemas.keys()].join(', ')}\n`);
    io.stdout.write(hints(outDir, io.cwd, new Set(schemas.keys())));
    return Promise.resolve(EXIT_OK);
  },
};
