/** Runs the CLI in-process with captured output, for command tests. */
import { runCli } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/command.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCliCaptured(
  argv: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; stdinIsTTY?: boolean; answers?: string[] } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const answers = [...(options.answers ?? [])];
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: options.env ?? { NO_COLOR: '1' },
    cwd: options.cwd ?? process.cwd(),
    stdinIsTTY: options.stdinIsTTY ?? false,
    prompt: (question: string) => {
      stderr += question;
      return Promise.resolve(answers.shift() ?? '');
    },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
