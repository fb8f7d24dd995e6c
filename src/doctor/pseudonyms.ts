/**
 * Consistent pseudonyms for a capture: the same real value always becomes the same fake one
 * (case-insensitively for user names and emails), different values never share one, and nothing
 * of the real value survives. E-mail-like values keep their shape (local part and domain are
 * replaced separately), so a user whose user name and e-mail were the same still has both equal.
 */

const EMAIL = /^([^@\s]+)@([^@\s]+)$/;

export class Pseudonyms {
  readonly #maps = new Map<string, Map<string, string>>();

  /** The fake for `value` in `kind`, made by `make(n)` (n counts from 1 per kind) the first time. */
  of(kind: string, value: string, make: (n: number) => string): string {
    let map = this.#maps.get(kind);
    if (map === undefined) {
      map = new Map();
      this.#maps.set(kind, map);
    }
    let fake = map.get(value);
    if (fake === undefined) {
      fake = make(map.size + 1);
      map.set(value, fake);
    }
    return fake;
  }

  /** `user0007@domain2.example.com` for any `x@y`; a value without `@` gets a plain fake local part. */
  email(value: string): string {
    const m = EMAIL.exec(value.trim().toLowerCase());
    if (m === null) return this.of('local', value.trim().toLowerCase(), (n) => `user${String(n).padStart(4, '0')}`);
    return `${this.localPart(m[1] ?? '')}@${this.domain(m[2] ?? '')}`;
  }

  localPart(value: string): string {
    return this.of('local', value.toLowerCase(), (n) => `user${String(n).padStart(4, '0')}`);
  }

  domain(value: string): string {
    return this.of('domain', value.toLowerCase(), (n) => `domain${n}.example.com`);
  }

  /** Keeps the local part (a system user's `system@…` stays `system@…`), replaces the domain. */
  systemEmail(value: string): string {
    const m = EMAIL.exec(value.trim());
    return m === null ? value : `${m[1] ?? ''}@${this.domain(m[2] ?? '')}`;
  }

  firstName(value: string): string {
    return this.of('first', value, (n) => `Given${n}`);
  }

  lastName(value: string): string {
    return this.of('last', value, (n) => `Family${n}`);
  }

  /** Any other personal text (title, company, phone, custom field): `field-n`, within `maxLength`. */
  text(field: string, value: string, maxLength = 20): string {
    const stem = field.replace(/__[a-z]+$/, '').replace(/[^a-z0-9]+/gi, '-').slice(0, Math.max(1, maxLength - 7));
    return this.of(`text:${field}`, value, (n) => `${stem}-${n}`);
  }
}
