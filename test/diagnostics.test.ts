import { describe, expect, it } from 'vitest';
import { formatDiagnosticsJson, formatDiagnosticsText, hasErrors, type Diagnostic } from '../src/diagnostics.js';

const unknownKey: Diagnostic = {
  severity: 'error',
  code: 'unknown-key',
  summary: "unknown key 'frist_name'",
  hint: "remove it or fix the spelling (did you mean 'first_name'?)",
  position: { file: 'users/b.yaml', line: 3, col: 5 },
};
const guard: Diagnostic = {
  severity: 'warning',
  code: 'unmanaged-users',
  summary: 'live user is not declared in YAML',
  hint: 'add the user to a users file or set policy.unmanaged_users: ignore',
  subject: { user: 'x@y.com' },
};

describe('diagnostic formatting', () => {
  it('text names file:line:col, code, and the hint, sorted, with a count line', () => {
    const text = formatDiagnosticsText([guard, unknownKey]);
    expect(text).toBe(
      "warning [unmanaged-users] live user is not declared in YAML (user x@y.com)\n" +
        '  hint: add the user to a users file or set policy.unmanaged_users: ignore\n' +
        "users/b.yaml:3:5: error [unknown-key] unknown key 'frist_name'\n" +
        "  hint: remove it or fix the spelling (did you mean 'first_name'?)\n" +
        '1 error, 1 warning\n',
    );
  });

  it('json carries validity and counts', () => {
    const parsed = JSON.parse(formatDiagnosticsJson([unknownKey, guard])) as { valid: boolean; errors: number };
    expect(parsed.valid).toBe(false);
    expect(parsed.errors).toBe(1);
    expect(hasErrors([guard])).toBe(false);
    expect(hasErrors([guard, unknownKey])).toBe(true);
  });
});
