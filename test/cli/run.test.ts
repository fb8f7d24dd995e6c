import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { TOOL_VERSION } from '../../src/version.js';
import { runCliCaptured } from '../helpers/cli.js';

describe('vault-roster CLI dispatcher', () => {
  it('prints the version', async () => {
    const run = await runCliCaptured(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${TOOL_VERSION}\n`, stderr: '' });
    expect(TOOL_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists every command in --help', async () => {
    const run = await runCliCaptured(['--help']);
    expect(run.code).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command.name}`);
  });

  it.each(COMMANDS.map((c) => [c.name]))('%s --help prints usage and exits 0', async (name) => {
    const run = await runCliCaptured([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: vault-roster ${name}`));
  });

  it.each(COMMANDS.map((c) => [c.name, c]))('the registry entry of %s matches the module it loads', async (_name, entry) => {
    const command = await entry.load();
    expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
  });

  it('help <command> prints that command\'s usage', async () => {
    const run = await runCliCaptured(['help', 'import']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: vault-roster import/);
  });

  it('rejects an unknown command with a hint', async () => {
    const run = await runCliCaptured(['frobnicate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
    expect(run.stderr).toContain('--help');
  });

  it('rejects an unknown option without a stack trace', async () => {
    const run = await runCliCaptured(['demo', '--nope']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Unknown option '--nope'");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['frobnicate'], "error [usage] unknown command 'frobnicate'"],
    [['plan', '--nope'], "error [usage] Unknown option '--nope'"],
    [['plan', '--format', 'xml'], "error [usage] unknown format 'xml'"],
    [['validate', '--format', 'xml'], "error [usage] unknown format 'xml'"],
    [['apply', 'a.json', 'b.json'], 'error [usage] apply takes at most one plan file, got 2'],
    [['apply', 'missing-plan.json'], 'error [plan-file] cannot read plan'],
  ])('%j fails with one coded line and a hint, as diagnostics do', async (argv, first) => {
    const run = await runCliCaptured(argv);
    expect(run.code).toBe(1);
    const [line, hint] = run.stderr.split('\n');
    expect(line).toContain(first);
    expect(line).toMatch(/^error \[[a-z-]+\] /);
    expect(hint).toMatch(/^ {2}hint: /);
  });
});
