/**
 * The CLI dispatcher: parses argv, runs one command, and is the one place that turns
 * errors into messages and exit codes. Never prints a stack trace for a user's mistake;
 * an unexpected bug prints one line and, with DEBUG=vault-roster, the stack.
 */
import { parseArgs } from 'node:util';
import { formatDiagnosticsText } from '../diagnostics.js';
import { DiagnosticsError, VaultRosterError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, PromptCancelled, type CliIo, type Command, type OptionValues } from './command.js';
import { COMMANDS } from './commands/index.js';
import { closeConnections } from './connections.js';

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `vault-roster ${TOOL_VERSION}: declarative, reviewable Veeva Vault user access.

Usage: vault-roster <command> [options]

Commands:
${list}

Options:
  -h, --help     Show help (also: vault-roster <command> --help)
  -V, --version  Print the version

Connection (plan, apply, import): VAULT_URL, VAULT_USERNAME, VAULT_PASSWORD or VAULT_SESSION_ID,
VAULT_API_VERSION. Exit codes: 0 ok / no changes, 1 error, 2 changes present (plan --detailed-exitcode).
`;
}

function isDebug(env: CliIo['env']): boolean {
  return (env.DEBUG ?? '').split(',').some((s) => s.trim() === 'vault-roster' || s.trim() === '*');
}

/** Prints what went wrong in one or a few lines and returns the exit code. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof PromptCancelled) {
    io.stderr.write('\ncancelled; nothing was changed.\n');
    return error.how === 'interrupt' ? EXIT_INTERRUPTED : EXIT_ERROR;
  }
  if (error instanceof DiagnosticsError) {
    io.stderr.write(formatDiagnosticsText(error.diagnostics));
    return EXIT_ERROR;
  }
  if (error instanceof VaultRosterError) {
    // The same shape as a diagnostic: the code is stable, for searching and for scripts.
    io.stderr.write(`error [${error.code}] ${error.message}\n`);
    if (error.hint !== undefined) io.stderr.write(`  hint: ${error.hint}\n`);
    return EXIT_ERROR;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error [internal] unexpected failure: ${message}\n`);
  if (isDebug(io.env) && error instanceof Error && error.stack !== undefined) {
    io.stderr.write(`${error.stack}\n`);
  } else {
    io.stderr.write('  hint: this is a bug in vault-roster; run again with DEBUG=vault-roster for details and report it.\n');
  }
  return EXIT_ERROR;
}

/** True when the command line asks for JSON output (`--format json`, `-f json`, `--format=json`). */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some((arg, i) => arg === '--format=json' || arg === '-fjson' || ((arg === '--format' || arg === '-f') && argv[i + 1] === 'json'));
}

/** The error as one JSON line, for scripts that read stdout of `--format json`. */
function errorJson(error: unknown): string {
  const base =
    error instanceof VaultRosterError
      ? { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) }
      : error instanceof PromptCancelled
        ? { code: 'cancelled', message: error.message }
        : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
  const diagnostics = error instanceof DiagnosticsError ? { diagnostics: error.diagnostics } : {};
  return `${JSON.stringify({ type: 'error', error: { ...base, ...diagnostics } })}\n`;
}

async function runCommand(command: Command, argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals,
      strict: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error [usage] ${message}\n  hint: run 'vault-roster ${command.name} --help' for the options.\n`);
    return EXIT_ERROR;
  }
  if (parsed.values.help === true) {
    io.stdout.write(command.help);
    return EXIT_OK;
  }
  const values: OptionValues = {};
  for (const [key, value] of Object.entries(parsed.values as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'boolean') values[key] = value;
    else if (Array.isArray(value) && value.every((v: unknown) => typeof v === 'string')) values[key] = value;
  }
  return command.run(values, parsed.positionals, io, runCli);
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const entry = COMMANDS.find((c) => c.name === topic);
    io.stdout.write(entry ? (await entry.load()).help : mainHelp());
    return first === undefined ? EXIT_ERROR : EXIT_OK;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT_OK;
  }
  const entry = COMMANDS.find((c) => c.name === first);
  if (!entry) {
    io.stderr.write(`error [usage] unknown command '${first}'\n  hint: run 'vault-roster --help' for the commands.\n`);
    return EXIT_ERROR;
  }
  try {
    return await runCommand(await entry.load(), rest, io);
  } catch (error) {
    // With --format json, stdout stays machine-readable: the error is a JSON line there too.
    if (wantsJson(rest)) io.stdout.write(errorJson(error));
    return reportError(error, io);
  } finally {
    // Whatever happened, no Vault request or wait may keep running after the command.
    await closeConnections(io);
  }
}
