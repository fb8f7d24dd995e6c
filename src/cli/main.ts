#!/usr/bin/env node
/** The `vault-roster` executable: wires process I/O into runCli and exits with its code. */
import { createInterface } from 'node:readline/promises';
import { runCli } from './run.js';
import type { CliIo } from './command.js';

const controller = new AbortController();
let signals = 0;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    signals += 1;
    // First signal: let the running command finish cleanly; a second one stops at once.
    if (signals > 1) process.exit(130);
    controller.abort(new Error(`received ${name}`));
  });
}

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stdinIsTTY: process.stdin.isTTY,
  signal: controller.signal,
  prompt: async (question: string) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

process.exitCode = await runCli(process.argv.slice(2), io);
