/**
 * Errors vault-roster raises: one base class, few subclasses, context as fields.
 *
 * A user's own mistake in YAML is a Diagnostic, not an exception. Exceptions are for things
 * that stop a run: Vault refusing a call, a stale plan, a transport failure after retries.
 * Only src/cli turns them into exit codes and messages. Messages never contain secrets.
 */
import type { Diagnostic } from './diagnostics.js';

/**
 * What kind of failure an error code is, as data: `usage` (the command line), `input` (the desired
 * state), `refusal` (apply refuses a plan; nothing was sent), `local-file` (a file of this repo),
 * `vault` (Vault answered, but not as needed), `transport` (no usable answer), `simulator`.
 */
export type ErrorCategory = 'usage' | 'input' | 'refusal' | 'local-file' | 'vault' | 'transport' | 'simulator';

/** Every error code, with its category. A code not listed here does not type-check. */
export const ERROR_CODES = {
  usage: 'usage',
  config: 'usage',
  'connection-config': 'usage',
  'not-confirmed': 'usage',
  'invalid-input': 'input',
  'no-baseline': 'input',
  'import-exists': 'local-file',
  'plan-file': 'refusal',
  'plan-invalid': 'refusal',
  'plan-mismatch': 'refusal',
  'plan-has-errors': 'refusal',
  'stale-plan': 'refusal',
  'plan-uncommitted': 'refusal',
  'wrong-vault': 'refusal',
  'wrong-server': 'refusal',
  'state-file': 'local-file',
  'journal-file': 'local-file',
  'output-file': 'local-file',
  'output-too-large': 'usage',
  locked: 'local-file',
  'vault-api': 'vault',
  'vault-response': 'vault',
  'vault-decode': 'vault',
  'vault-paging': 'vault',
  'vault-unknown': 'vault',
  'row-count': 'vault',
  'batch-too-large': 'vault',
  'session-invalid': 'vault',
  'session-expiring': 'vault',
  'auth-wrong-vault': 'vault',
  'oauth-token': 'vault',
  'oauth-session': 'vault',
  'transport-origin': 'transport',
  transport: 'transport',
  'transport-redirect': 'transport',
  'deadline-exceeded': 'transport',
  'client-closed': 'transport',
  'simulator-port': 'simulator',
  'simulator-seed': 'simulator',
  'simulator-capture': 'simulator',
  'simulator-state': 'simulator',
} as const satisfies Record<string, ErrorCategory>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class VaultRosterError extends Error {
  /** Stable kebab-case code, e.g. `vault-api`, `stale-plan`, `config`; its category is `ERROR_CODES[code]`. */
  readonly code: ErrorCode;
  /** One line on how to fix it, when there is one. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VaultRosterError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** The input cannot be used; carries the diagnostics that say why. */
export class DiagnosticsError extends VaultRosterError {
  readonly diagnostics: readonly Diagnostic[];

  constructor(message: string, diagnostics: readonly Diagnostic[]) {
    super('invalid-input', message);
    this.name = 'DiagnosticsError';
    this.diagnostics = diagnostics;
  }
}

/** Vault answered with FAILURE or EXCEPTION for a whole request. */
export class VaultApiError extends VaultRosterError {
  readonly method: string;
  /** Request path without query secrets, e.g. `/api/v25.2/objects/users`. */
  readonly path: string;
  /** Vault error type of the first error, e.g. `INVALID_DATA`. */
  readonly errorType: string;
  readonly vaultMessage: string;
  readonly executionId: string | undefined;

  constructor(args: {
    method: string;
    path: string;
    errorType: string;
    vaultMessage: string;
    executionId?: string | undefined;
    hint?: string;
  }) {
    super('vault-api', `${args.method} ${args.path} failed: ${args.errorType}: ${args.vaultMessage}`, {
      ...(args.hint === undefined ? {} : { hint: args.hint }),
    });
    this.name = 'VaultApiError';
    this.method = args.method;
    this.path = args.path;
    this.errorType = args.errorType;
    this.vaultMessage = args.vaultMessage;
    this.executionId = args.executionId;
  }
}

/** The request never got a Vault answer (connection refused/reset, timeout, non-2xx) after retries. */
export class TransportError extends VaultRosterError {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;

  constructor(args: {
    method: string;
    path: string;
    status?: number | undefined;
    detail: string;
    cause?: unknown;
    /** A more precise code than `transport`, e.g. `transport-redirect`. */
    code?: ErrorCode;
    hint?: string;
  }) {
    super(args.code ?? 'transport', `${args.method} ${args.path} failed: ${args.detail}`, {
      hint: args.hint ?? 'Check VAULT_URL and the network; the call was retried and kept failing.',
      cause: args.cause,
    });
    this.name = 'TransportError';
    this.method = args.method;
    this.path = args.path;
    this.status = args.status;
  }
}
