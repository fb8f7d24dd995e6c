// stamp edits users files as text: every byte outside the stamped lines stays as it was.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stampUsersText } from '../../src/review/stamp.js';

const FILE = `# yaml-language-server: $schema=../specs/users.schema.json
# The RIM team.
users:
  - user_name: Kate.Grossman@veepharm.com   # lead
    first_name: Kate
    groups: [CTMS Data Stewards]      # flow list, odd spacing
    memberships:
      - vault: 3003
        apps: { rimReg_v: full__v }

  - user_name: lee@veepharm.com
    reviewed:
      by: Old Reviewer
      on: 2025-01-01
    first_name: "Lee"   # quoted
  - user_name: max@veepharm.com
`;

const stamp = { by: 'Ana Silva <ana@veepharm.com>', on: '2026-06-30' };
const edit = (users: string[]) => ({ path: '/x/users/rim.yaml', display: 'users/rim.yaml', users: new Set(users) });

describe('review stamp (text edit)', () => {
  it('adds reviewed under user_name, leaving every other line as it was', () => {
    const { text, stamped } = stampUsersText(FILE, edit(['kate.grossman@veepharm.com']), stamp);
    expect(stamped).toEqual(['kate.grossman@veepharm.com']);
    const added = '    reviewed: { by: "Ana Silva <ana@veepharm.com>", on: 2026-06-30 }\n';
    expect(text).toBe(FILE.replace('# lead\n', `# lead\n${added}`));
    expect((parse(text) as { users: { reviewed?: unknown }[] }).users[0]?.reviewed).toEqual({ by: 'Ana Silva <ana@veepharm.com>', on: '2026-06-30' });
  });

  it('replaces an existing reviewed block in place', () => {
    const { text } = stampUsersText(FILE, edit(['lee@veepharm.com']), stamp);
    expect(text).toBe(FILE.replace('    reviewed:\n      by: Old Reviewer\n      on: 2025-01-01\n', '    reviewed: { by: "Ana Silva <ana@veepharm.com>", on: 2026-06-30 }\n'));
  });

  it('stamps the last entry of a file without a final newline, and keeps CRLF files CRLF', () => {
    const bare = FILE.slice(0, -1);
    expect(stampUsersText(bare, edit(['max@veepharm.com']), stamp).text).toBe(`${bare}\n    reviewed: { by: "Ana Silva <ana@veepharm.com>", on: 2026-06-30 }\n`);
    const crlf = FILE.replace(/\n/g, '\r\n');
    const out = stampUsersText(crlf, edit(['max@veepharm.com', 'lee@veepharm.com']), stamp).text;
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect((parse(out) as { users: { reviewed?: { on: string } }[] }).users.map((u) => u.reviewed?.on)).toEqual([undefined, '2026-06-30', '2026-06-30']);
  });

  it('quotes a reviewer name no YAML reading can misparse', () => {
    const by = 'O\'Neil: "#1" <x@y.z> # not a comment';
    const { text } = stampUsersText(FILE, edit(['max@veepharm.com']), { by, on: '2026-06-30' });
    expect((parse(text) as { users: { reviewed?: { by: string } }[] }).users[2]?.reviewed?.by).toBe(by);
  });

  it('refuses an entry written as a flow mapping, naming file and entry', () => {
    expect(() => stampUsersText('users:\n  - { user_name: a@b.c }\n', edit(['a@b.c']), stamp)).toThrow(/users\/rim\.yaml users\[0\] \(a@b\.c\) is written as a flow mapping/);
  });
});
