// The apply prompt on a real pseudo-terminal (util-linux `script`), and a closed stdout pipe:
// Ctrl-C / Ctrl-D at the prompt cancel with nothing sent, and `plan | head` ends quietly.
import { beforeAll, describe, expect, it } from 'vitest';
import { startRosterFixture } from '../helpers/roster.js';
import { writesIn } from '../apply/support.js';
import { MAIN, ensureBuilt, startChild, startCli, until } from './child.js';

function quoted(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

describe('apply prompt on a terminal', () => {
  beforeAll(ensureBuilt, 120_000);

  for (const [key, name, code] of [
    ['\x03', 'Ctrl-C', 130],
    ['\x04', 'Ctrl-D', 1],
  ] as const) {
    it(`${name} at the prompt cancels: nothing sent, exit ${code}, no internal error`, { timeout: 30_000 }, async () => {
      const fx = await startRosterFixture();
      const command = [process.execPath, MAIN, 'apply'].map(quoted).join(' ');
      // -e: script exits with the child's code; the child's stdin, stdout and stderr are the terminal.
      const child = startChild('script', ['-qefc', command, '/dev/null'], { cwd: fx.dir, env: { ...fx.env, TERM: 'dumb' } });
      await until(() => child.stdout().includes("Only 'yes' is accepted"), 'the prompt');
      child.process.stdin?.write(key);
      const exit = await child.exit;
      const screen = child.stdout() + child.stderr();
      expect(exit, screen).toBe(code);
      expect(screen).toContain('apply cancelled; nothing was sent.');
      expect(screen).not.toContain('[internal]');
      expect(writesIn(fx.sim.requestLog())).toEqual([]);
    });
  }
});

describe('closed stdout', () => {
  beforeAll(ensureBuilt, 120_000);

  it('plan into a pipe its reader closed (plan | head) ends quietly with its own exit code', { timeout: 30_000 }, async () => {
    const fx = await startRosterFixture();
    const child = startCli(['plan'], { cwd: fx.dir, env: fx.env });
    // The reader goes away before the plan is printed: every write meets EPIPE.
    child.process.stdout?.destroy();
    const code = await child.exit;
    expect(child.stderr()).toBe('');
    expect(code).toBe(0);
  });
});
