/**
 * The package people install: `npm pack` of this checkout, installed into a temporary roster
 * repository with no access to these sources (offline, from the npm cache; see packed.ts), then
 * run from there: `--version`, `validate` on the shipped example, `schemas --write`, `demo`, and
 * the library entry point. Also what the tarball holds: everything the CLI reads at run time,
 * nothing that is only for development.
 */
import { cpSync, existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAndInstall, REPO_ROOT, runProcess, type PackedInstall } from './packed.js';

let packed: PackedInstall;

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist/src/cli/main.js'))) throw new Error("dist/ is missing: run 'npm run build' (npm test does) before this suite");
  packed = await packAndInstall();
}, 60_000);
afterAll(() => {
  packed.remove();
});

function cli(args: readonly string[], cwd = packed.repo) {
  return runProcess(packed.bin, args, cwd, packed.env);
}

describe('npm pack', () => {
  it('ships the built CLI and library, the schemas, the examples, the Action and the licence', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; types: string; main: string };
    for (const path of ['LICENSE', 'README.md', 'package.json', 'action.yml', pkg.bin['vault-roster']!, pkg.types, pkg.main, 'examples/full/roster.yaml', 'examples/ci/scripts/run-capture.mjs', 'examples/ci/scripts/setup-cli.mjs']) {
      expect(packed.files, path).toContain(path);
    }
    const specs = readdirSync(join(REPO_ROOT, 'specs')).filter((f) => f.endsWith('.schema.json'));
    for (const file of specs) expect(packed.files, file).toContain(`specs/${file}`);
  });

  it('ships nothing that is only for development: sources, tests, benchmarks, source maps, configs', () => {
    const devOnly = packed.files.filter((f) => /^(src|test|bench|dist\/bench|dist\/test|\.ci|coverage|node_modules)\//.test(f) || /\.(map|tsbuildinfo)$/.test(f) || /^(tsconfig|vitest|eslint)/.test(f));
    expect(devOnly).toEqual([]);
    expect(packed.files.filter((f) => f.startsWith('dist/')).every((f) => f.startsWith('dist/src/'))).toBe(true);
  });
});

describe('installed from the tarball into a roster repository', () => {
  it('links node_modules/.bin/vault-roster to the shipped CLI, which prints the package version', async () => {
    expect(readlinkSync(packed.bin)).toBe('../vault-roster/dist/src/cli/main.js');
    const run = await cli(['--version']);
    expect(run, run.stderr).toMatchObject({ code: 0, stdout: `${packed.version}\n` });
  });

  it('validates the shipped example and writes the schemas into the repo', async () => {
    cpSync(join(packed.repo, 'node_modules/vault-roster/examples/minimal'), join(packed.repo, 'access'), { recursive: true });
    const valid = await cli(['validate', '--config', 'access/roster.yaml']);
    expect(valid, valid.stderr).toMatchObject({ code: 0, stdout: 'valid: 4 users, 0 SiteVault persons in 2 files\n' });
    const schemas = await cli(['schemas', '--write', 'access/schemas']);
    expect(schemas.code, schemas.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(packed.repo, 'access/schemas/users.schema.json'), 'utf8'))).toMatchObject({ $id: 'urn:vault-roster:schema:users' });
  });

  it('runs the demo (embedded simulator, examples/full from the package)', async () => {
    const run = await cli(['demo']);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout).toMatch(/Demo complete: \d+ API calls served by the simulator/);
  });

  it('serves the library entry point and its types to an importing project', async () => {
    const script = "import('vault-roster').then((m) => console.log(typeof m.loadDesiredState, typeof m.createPlan))";
    const run = await runProcess(process.execPath, ['--input-type=module', '-e', script], packed.repo, packed.env);
    expect(run, run.stderr).toMatchObject({ code: 0, stdout: 'function function\n' });
    expect(existsSync(join(packed.repo, 'node_modules/vault-roster/dist/src/index.d.ts'))).toBe(true);
  });
});
