/**
 * The doctor's line to Vault: its own transport (so a session in another vault is reported, not
 * refused, and raw answers can be looked at), reads only. It remembers the burst headers of the
 * last answer and every call it made, for the report.
 */
import { VaultApiError, VaultRosterError } from '../errors.js';
import { readCall, type ReadAnswer } from '../vault/envelope.js';
import type { ClientEvent, ConnectionSettings } from '../vault/index.js';
import { Redactor, systemClock } from '../vault/index.js';
import { VaultTransport } from '../vault/transport.js';

export interface BurstReading {
  readonly limit: number;
  readonly remaining: number;
}

/** A read that failed, as the report shows it: the message names the call and carries no secret. */
export interface ReadFailure {
  readonly message: string;
  readonly hint: string | undefined;
  /** Vault's error type when Vault answered FAILURE. */
  readonly errorType: string | undefined;
}

export type ReadResult = { readonly ok: true; readonly answer: ReadAnswer } | { readonly ok: false; readonly failure: ReadFailure };

export function failureOf(error: unknown): ReadFailure {
  if (!(error instanceof VaultRosterError)) throw error;
  return { message: error.message, hint: error.hint, errorType: error instanceof VaultApiError ? error.errorType : undefined };
}

export class DoctorProbe {
  readonly transport: VaultTransport;
  #burst: BurstReading | undefined;
  #calls = 0;

  constructor(settings: ConnectionSettings, options: { readonly onEvent?: ((event: ClientEvent) => void) | undefined; readonly signal?: AbortSignal | undefined }) {
    const redactor = new Redactor();
    this.transport = new VaultTransport({
      baseUrl: settings.baseUrl,
      apiVersion: settings.apiVersion,
      credentials: settings.credentials,
      vaultDns: settings.vaultDns,
      // Which vault the session lands in is a finding, not a refusal.
      expectedVaultId: undefined,
      concurrency: 1,
      timeoutMs: settings.timeoutMs,
      // A diagnosis should be quick: a failing call is reported, not retried for minutes.
      maxRetries: 2,
      burstWindowMs: 5 * 60_000,
      clock: systemClock,
      random: Math.random,
      clientId: 'vault-roster-doctor',
      redactor,
      deadlineMs: settings.deadlineMs,
      signal: options.signal,
      emit: (event) => {
        const clean = redactor.value(event);
        if (clean.type === 'request' && clean.attempt === 0) this.#calls += 1;
        if (clean.type === 'response' && clean.burstLimit !== undefined && clean.burstRemaining !== undefined) {
          this.#burst = { limit: clean.burstLimit, remaining: clean.burstRemaining };
        }
        options.onEvent?.(clean);
      },
    });
  }

  /** Calls sent (retries not counted). */
  get calls(): number {
    return this.#calls;
  }

  get burst(): BurstReading | undefined {
    return this.#burst;
  }

  async get(path: string, query?: Readonly<Record<string, string | number>>): Promise<ReadResult> {
    return this.#read({ method: 'GET', path, ...(query === undefined ? {} : { query }), retry: 'idempotent' });
  }

  /** VQL is a read even though it is a POST. */
  async query(vql: string): Promise<ReadResult> {
    return this.#read({ method: 'POST', path: 'query', form: { q: vql }, retry: 'idempotent' });
  }

  async #read(req: Parameters<typeof readCall>[1]): Promise<ReadResult> {
    try {
      return { ok: true, answer: await readCall(this.transport, req) };
    } catch (error) {
      return { ok: false, failure: failureOf(error) };
    }
  }

  /**
   * Stops the probe. The session is left to time out rather than ended: the doctor promises to
   * send only reads (and the login), so it can be pointed at any Vault without a second thought.
   */
  close(): void {
    this.transport.close();
  }
}
