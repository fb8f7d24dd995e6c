// The redaction rule: long secrets are masked anywhere; short ones (a weak password such as
// `admin`) only where they stand alone, so ordinary words that contain them stay readable.
import { describe, expect, it } from 'vitest';
import { Redactor, SHORT_SECRET } from '../../src/vault/redact.js';

function redactor(...secrets: string[]): Redactor {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return r;
}

describe('Redactor.text', () => {
  it.each([
    ['admin', 'user admin@example.com is a system administrator (sysadmin, admin_v)', 'user ***@example.com is a system administrator (sysadmin, admin_v)'],
    ['admin', "login failed for password 'admin'", "login failed for password '***'"],
    ['admin', 'username=bob&password=admin&vaultDNS=x', 'username=bob&password=***&vaultDNS=x'],
    ['admin', 'admin', '***'],
    ['Admin', 'Administrator Admin', 'Administrator ***'],
    ['p@ss.w*rd', 'sent p@ss.w*rd; not p@ss.w*rds', 'sent ***; not p@ss.w*rds'],
    ['ünï', 'ünïcode and ünï', 'ünïcode and ***'],
    // A session id is long: masked even glued to other text.
    ['0123456789ABCDEF0123', 'sid=x0123456789ABCDEF0123y', 'sid=x***y'],
  ])('secret %j in %j', (secret, text, masked) => {
    expect(redactor(secret).text(text)).toBe(masked);
  });

  it(`masks any secret of ${SHORT_SECRET} characters or more wherever it appears`, () => {
    const secret = 'a'.repeat(SHORT_SECRET);
    expect(redactor(secret).text(`x${secret}x`)).toBe('x***x');
    expect(redactor(secret.slice(1)).text(`x${secret.slice(1)}x`)).toBe(`x${secret.slice(1)}x`);
  });

  it('masks a secret that contains another whole, whatever the order they were added in', () => {
    expect(redactor('admin', 'admin-Secret-2026').text('pw admin-Secret-2026 user admin')).toBe('pw *** user ***');
  });
});
