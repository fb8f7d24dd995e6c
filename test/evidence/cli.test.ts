// `vault-roster evidence` refusals that need no Vault: each names what is wrong and how to fix it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';

const ID = 'a'.repeat(64);

describe('evidence command refusals', () => {
  it.each([
    [[], "evidence takes 'PLAN-ID --out DIR', 'verify DIR' or 'as-of DATE', got ''"],
    [['verify'], "evidence takes 'PLAN-ID --out DIR', 'verify DIR' or 'as-of DATE', got 'verify'"],
    [['as-of', '2026-01-01', '--out', 'x'], 'evidence as-of does not take --out'],
    [['verify', 'x', '--no-read-back'], 'evidence verify does not take --no-read-back'],
    [[ID, '--out', 'x', '--vault', '3003'], 'evidence PLAN-ID does not take --vault'],
    [[ID], 'evidence needs --out DIR'],
    [[ID, '--out', 'x'], `${join('.vault-roster', 'journal', `${ID}.jsonl`)}: plan ${ID} was not applied from this repo's state folder`],
    [['verify', 'nothing-here'], 'does not exist: this is not a finished evidence bundle'],
    [['verify', 'not-a-bundle'], 'is not an evidence manifest'],
    [['as-of', '2026-01-01', '--vault', 'x'], "--vault 'x' is not a vault id"],
    [['as-of', '2026-01-01', '--format', 'xml'], "unknown format 'xml'"],
  ])('%j', async (argv, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'vr-evidence-cli-'));
    mkdirSync(join(cwd, 'not-a-bundle'));
    writeFileSync(join(cwd, 'not-a-bundle', 'manifest.json'), '{"format":"zip"}');
    const run = await runCliCaptured(['evidence', ...argv], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('hint:');
  });
});
