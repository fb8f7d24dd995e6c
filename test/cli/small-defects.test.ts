// Issue 15 item 7, the CLI's small defects: JSON errors with --format json, apply --refresh with a
// plan file refused, hints for common URL / API-version mistakes, transport errors naming the host.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture } from '../helpers/roster.js';

describe('--format json errors', () => {
  it('a failing plan --format json prints the error as one JSON line on stdout (and the text on stderr)', async () => {
    const fx = await startRosterFixture();
    const run = await fx.run(['plan', '--format', 'json', '--config', 'missing.yaml']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] ?? '') as { type: string; error: { code: string; message: string } };
    expect(parsed.type).toBe('error');
    expect(parsed.error.code).not.toBe('internal');
    expect(parsed.error.message).toContain('missing.yaml');
    expect(run.stderr).toContain('missing.yaml');
  });

  it('without --format json stdout stays empty on an error', async () => {
    const fx = await startRosterFixture();
    const run = await fx.run(['plan', '--config', 'missing.yaml']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
  });
});

describe('apply --refresh with a plan file', () => {
  it('is refused with a hint, before anything is read or sent', async () => {
    const fx = await startRosterFixture();
    fx.sim.clearRequestLog();
    const run = await fx.run(['apply', 'plan.json', '--refresh', '--auto-approve']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error [usage] --refresh cannot be used with a plan file');
    expect(run.stderr).toContain("hint: make the plan with 'vault-roster plan --refresh --out FILE'");
    expect(fx.sim.requestLog()).toEqual([]);
  });
});

describe('connection mistakes get a hint', () => {
  it.each([
    [{ VAULT_URL: 'myvault.veevavault.com' }, "is not a URL: 'myvault.veevavault.com' (no https:// in front)", 'hint: Write it with its scheme: https://myvault.veevavault.com'],
    [{ VAULT_URL: 'https://myvault.veevavault.com/api/v25.2' }, "VAULT_URL is an API address, not the vault's: 'https://myvault.veevavault.com/api/v25.2'", 'hint: Use the vault\'s address alone, e.g. https://myvault.veevavault.com'],
    [{ VAULT_API_VERSION: '25.2' }, "Invalid Vault API version '25.2'", 'hint: Did you mean v25.2?'],
    [{ VAULT_API_VERSION: 'V25.2' }, "Invalid Vault API version 'V25.2'", 'hint: Did you mean v25.2?'],
  ])('%o', async (env, message, hint) => {
    const fx = await startRosterFixture();
    fx.sim.clearRequestLog();
    const bad = await runCliCaptured(['plan'], { env: { ...fx.env, ...env }, cwd: fx.dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(message);
    expect(bad.stderr).toContain(hint);
    // Refused before any call.
    expect(fx.sim.requestLog()).toEqual([]);
  });
});

describe('transport errors', () => {
  it('name the host that answered', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>not here</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const fx = await startRosterFixture();
      const { port } = server.address() as AddressInfo;
      const run = await runCliCaptured(['plan'], { env: { ...fx.env, VAULT_URL: `http://127.0.0.1:${port}` }, cwd: fx.dir });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`(host 127.0.0.1:${port})`);
    } finally {
      server.close();
    }
  });
});
