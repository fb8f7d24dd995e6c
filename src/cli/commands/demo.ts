/** `vault-roster demo`: the whole flow against the embedded simulator, with nothing to set up. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesiredState } from '../../desired/index.js';
import { DiagnosticsError } from '../../errors.js';
import { DEFAULT_ADMIN_PASSWORD, DEFAULT_ADMIN_USER, startSimulator } from '../../simulator/index.js';
import { packageRoot } from '../../version.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK, type CliIo, type Command } from '../command.js';
import { demoSeed } from '../demo-seed.js';

interface Step {
  readonly title: string;
  readonly argv: readonly string[];
  readonly expect: readonly number[];
}

const STEPS: readonly Step[] = [
  { title: 'validate the desired state (offline)', argv: ['validate'], expect: [EXIT_OK] },
  { title: 'plan: what would change (exit 2 = changes)', argv: ['plan', '--detailed-exitcode'], expect: [EXIT_CHANGES] },
  { title: 'apply the changes', argv: ['apply', '--auto-approve'], expect: [EXIT_OK] },
  { title: 'plan again: Vault now matches the YAML (exit 0)', argv: ['plan', '--detailed-exitcode'], expect: [EXIT_OK] },
];

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run validate, plan, apply and re-plan against the embedded simulator (examples/full)',
  help: `Usage: vault-roster demo [--keep]

Copies examples/full to a temporary folder, starts the local Vault simulator on 127.0.0.1
seeded with some of its users already present (a few drifted, one undeclared), then runs
  vault-roster validate
  vault-roster plan --detailed-exitcode
  vault-roster apply --auto-approve
  vault-roster plan --detailed-exitcode
and checks that the last plan shows no changes. Needs no Vault account and no network.

Options:
  --keep      Keep the temporary folder (state file, journal) and print its path
  -h, --help  Show this help
`,
  options: { keep: { type: 'boolean' } },
  allowPositionals: false,
  async run(values, _positionals, io, runCli) {
    const work = mkdtempSync(join(tmpdir(), 'vault-roster-demo-'));
    cpSync(join(packageRoot(), 'examples', 'full'), work, { recursive: true });
    const loaded = await loadDesiredState(join(work, 'roster.yaml'), { cwd: work });
    if (!loaded.ok) throw new DiagnosticsError('examples/full is not valid', loaded.diagnostics);
    const sim = await startSimulator({ seed: demoSeed(loaded.state) });
    const stepIo: CliIo = {
      ...io,
      cwd: work,
      env: {
        ...io.env,
        VAULT_URL: sim.url,
        VAULT_USERNAME: DEFAULT_ADMIN_USER,
        VAULT_PASSWORD: DEFAULT_ADMIN_PASSWORD,
        VAULT_SESSION_ID: undefined,
        VAULT_API_VERSION: undefined,
        VAULT_DNS: undefined,
      },
    };
    io.stdout.write(`Simulator listening on ${sim.url} (demo domain, seeded with drift)\nWorking copy of examples/full: ${work}\n`);
    try {
      for (const [index, step] of STEPS.entries()) {
        io.stdout.write(`\n=== ${index + 1}/${STEPS.length} ${step.title}\n$ vault-roster ${step.argv.join(' ')}\n`);
        const code = await runCli(step.argv, stepIo);
        if (!step.expect.includes(code)) {
          io.stderr.write(`\ndemo: step '${step.argv.join(' ')}' exited ${code}, expected ${step.expect.join(' or ')}\n`);
          return EXIT_ERROR;
        }
      }
      io.stdout.write(`\nDemo complete: ${sim.requestLog().length} API calls served by the simulator; Vault matches the desired state.\n`);
      return EXIT_OK;
    } finally {
      await sim.close();
      if (values.keep === true) io.stdout.write(`Kept ${work}\n`);
      else rmSync(work, { recursive: true, force: true });
    }
  },
};
