/**
 * The shape of a CLI command and the I/O it may use. Commands get everything from `CliIo`
 * (streams, environment, working directory, TTY flags) so tests run them in-process.
 */
import type { ParseArgsConfig } from 'node:util';

export interface OutputStream {
  write(chunk: string): unknown;
  /** True when the stream is an interactive terminal (colours, progress). */
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when a person can answer a prompt. */
  readonly stdinIsTTY: boolean;
  /** Reads one line of an answer; undefined when there is no interactive input. */
  readonly prompt?: (question: string) => Promise<string>;
  /** Aborted on SIGINT/SIGTERM, so long runs (simulator, apply) can finish cleanly. */
  readonly signal?: AbortSignal;
}

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Parsed options: a repeatable option (`multiple: true`) gives its values in order. */
export type OptionValues = Record<string, string | boolean | readonly string[] | undefined>;

export interface Command {
  readonly name: string;
  /** One line for `vault-roster --help`. */
  readonly summary: string;
  /** Full `--help` text of the command. */
  readonly help: string;
  readonly options: OptionsConfig;
  /** Whether positional arguments are accepted. */
  readonly allowPositionals: boolean;
  /**
   * Returns the exit code: 0 ok / no changes, 1 error, 2 changes present (plan --detailed-exitcode).
   * `dispatch` runs another command line (the demo's steps) through the CLI's one error path.
   */
  run(values: OptionValues, positionals: string[], io: CliIo, dispatch: Dispatch): Promise<number>;
}

/** A command as the registry lists it: enough for `--help`, with its module loaded on demand. */
export interface CommandEntry {
  readonly name: string;
  /** The same line as the command's own `summary`. */
  readonly summary: string;
  load(): Promise<Command>;
}

/** Runs a whole command line (without node and script) and returns its exit code. */
export type Dispatch = (argv: readonly string[], io: CliIo) => Promise<number>;

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CHANGES = 2;
/** 128 + SIGINT: the shell's code for a run stopped by Ctrl-C (or SIGTERM, as CI cancels). */
export const EXIT_INTERRUPTED = 130;

/**
 * A prompt got no answer: Ctrl-C (`interrupt`) or end of input, Ctrl-D (`eof`). Not a bug and
 * not a failure of Vault: the person chose to stop, so it is reported as a cancellation.
 */
export class PromptCancelled extends Error {
  readonly how: 'interrupt' | 'eof';

  constructor(how: 'interrupt' | 'eof') {
    super(how === 'interrupt' ? 'interrupted at the prompt' : 'no answer (end of input)');
    this.name = 'PromptCancelled';
    this.how = how;
  }
}
