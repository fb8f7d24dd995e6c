/**
 * Decoding problems of one read (users, persons, groups), collected so that one run shows all of
 * them, capped, in a single `vault-decode` error that names the call and each record and field.
 */
import { VaultRosterError } from '../errors.js';
import { excerpt, WireDecodeError } from '../vault-api/index.js';

/** Most problems one error lists; the rest are counted. */
export const PROBLEMS_SHOWN = 20;

export class ReadProblems {
  readonly lines: string[] = [];
  count = 0;

  constructor(private readonly redact: (text: string) => string) {}

  add(subject: string, error: WireDecodeError): void {
    this.count += 1;
    if (this.lines.length < PROBLEMS_SHOWN) {
      this.lines.push(`${subject}, field ${error.field}: ${error.reason} (value ${this.redact(excerpt(error.value))})`);
    }
  }

  /** Decodes every row, collecting the rows that do not decode; any other error is thrown. */
  decodeAll<T>(rows: readonly unknown[], decode: (row: unknown) => T, name: (raw: unknown, position: number) => string): T[] {
    const out: T[] = [];
    rows.forEach((row, i) => {
      try {
        out.push(decode(row));
      } catch (error) {
        if (!(error instanceof WireDecodeError)) throw error;
        this.add(name(row, i + 1), error);
      }
    });
    return out;
  }

  throwIfAny(call: string, what: string): void {
    if (this.count === 0) return;
    const more = this.count > this.lines.length ? [`… and ${this.count - this.lines.length} more`] : [];
    const list = [...this.lines, ...more].map((line) => `\n  - ${line}`).join('');
    throw new VaultRosterError('vault-decode', `${call}: ${this.count} ${what} could not be read:${list}`, {
      hint: 'Nothing was planned or written. vault-roster reads only the forms of these fields it knows (README: "How vault-roster reads Vault"); send the lines above with a bug report.',
    });
  }
}
