// An apply without a plan file, interrupted after its first write: the plan it made is saved
// under .vault-roster/, and the printed resume command (run as printed) finishes it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run.js';
import { startRosterFixture } from '../helpers/roster.js';
import { duplicateUserNames, writesIn } from '../apply/support.js';

describe('interrupting apply without a plan file', () => {
  it('saves the plan it made and prints a resume command that finishes the run', async () => {
    const fx = await startRosterFixture({ sim: { latencyMs: 20 } });
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (s: string) => (stdout += s), isTTY: false },
      stderr: { write: (s: string) => (stderr += s), isTTY: false },
      env: fx.env,
      cwd: fx.dir,
      stdinIsTTY: false,
      signal: controller.signal,
    };
    // The "Ctrl-C" comes as soon as Vault has seen the first write.
    const watcher = setInterval(() => {
      if (writesIn(fx.sim.requestLog()).length > 0) controller.abort(new Error('received SIGINT'));
    }, 2);
    let code: number;
    try {
      code = await runCli(['apply', '--auto-approve', '--concurrency', '1'], io);
    } finally {
      clearInterval(watcher);
    }
    expect(code, stderr).toBe(130);
    expect(stdout).not.toContain('Apply complete');
    const resume = /^Resume with: (.+)$/m.exec(stderr)?.[1];
    expect(resume).toMatch(/^vault-roster apply \.vault-roster\/interrupted-[0-9a-f]{64}\.plan\.json --concurrency 1$/);
    const argv = (resume ?? '').split(' ').slice(1);
    expect(existsSync(join(fx.dir, argv[1] ?? ''))).toBe(true);

    const resumed = await fx.run(argv);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('(resumed an interrupted run)');
    const replan = await fx.run(['plan', '--detailed-exitcode']);
    expect(replan.code, replan.stdout).toBe(0);
    expect(duplicateUserNames(fx.sim.dump().users ?? [])).toEqual([]);
  });
});
