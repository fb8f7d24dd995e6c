#!/usr/bin/env node
/** The `vault-roster` executable: wires process I/O into runCli and exits with its code. */
import { createInterface } from 'node:readline';
import { runCli } from './run.js';
import { EXIT_INTERRUPTED, PromptCancelled, type CliIo, type OutputStream } from './command.js';

const argv = process.argv.slice(2);
/** Commands that only read: nothing to finish, so the first Ctrl-C ends them at once. */
const READ_ONLY = new Set(['plan', 'validate', 'help', '--help', '-h', '--version', '-V']);

const controller = new AbortController();
let signals = 0;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    signals += 1;
    // First signal: the running command stops cleanly (apply finishes the calls in flight and
    // says how to resume); a second one, or any signal to a read-only command, exits at once.
    if (signals > 1 || READ_ONLY.has(argv[0] ?? '')) {
      process.stderr.write(`\nvault-roster: ${name}, stopped at once.\n`);
      process.exit(EXIT_INTERRUPTED);
    }
    controller.abort(new Error(`received ${name}`));
  });
}

/**
 * A stream whose reader went away (`plan | head` closes the pipe: EPIPE) swallows further
 * output, so the command ends quietly with its own exit code instead of a stack trace; an apply
 * piped into a pager that quits still finishes its calls and its journal.
 */
function quietOnClose(stream: NodeJS.WriteStream): OutputStream {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      closed = true;
      return;
    }
    closed = true;
    if (stream !== process.stderr) process.stderr.write(`vault-roster: cannot write output: ${error.code ?? error.message}\n`);
    process.exitCode = 1;
  });
  return {
    get isTTY() {
      return stream.isTTY;
    },
    write: (chunk: string) => (closed ? false : stream.write(chunk)),
  };
}

/** One line of an answer; Ctrl-C, end of input (Ctrl-D) or a signal reject with PromptCancelled. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let settled = false;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      controller.signal.removeEventListener('abort', onAbort);
      rl.close();
      settle();
    };
    const onAbort = (): void => {
      finish(() => { reject(new PromptCancelled('interrupt')); });
    };
    if (controller.signal.aborted) {
      onAbort();
      return;
    }
    controller.signal.addEventListener('abort', onAbort, { once: true });
    // On a terminal readline reads Ctrl-C as a key and emits SIGINT on the interface, not the process.
    rl.on('SIGINT', () => { finish(() => { reject(new PromptCancelled('interrupt')); }); });
    rl.on('close', () => { finish(() => { reject(new PromptCancelled('eof')); }); });
    rl.question(question, (answer) => { finish(() => { resolve(answer); }); });
  });
}

const io: CliIo = {
  stdout: quietOnClose(process.stdout),
  stderr: quietOnClose(process.stderr),
  env: process.env,
  cwd: process.cwd(),
  stdinIsTTY: process.stdin.isTTY,
  signal: controller.signal,
  prompt,
};

process.exitCode = await runCli(argv, io);
