import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript, tempDir } from './run-script.js';

const MARKER = '<!-- vault-roster-plan -->';

/** A stand-in for vault-roster: a node one-liner that prints and exits as told. */
function fake(stdout: string, stderr: string, exitCode: number): string[] {
  return [process.execPath, '-e', `process.stdout.write(${JSON.stringify(stdout)}); process.stderr.write(${JSON.stringify(stderr)}); process.exitCode = ${exitCode};`];
}

async function capture(command: string[], env: Record<string, string> = {}, label = 'plan') {
  const dir = tempDir();
  const body = join(dir, `${label}.md`);
  const run = await runScript('run-capture.mjs', ['--label', label, '--body', body, '--', ...command], { env });
  return { ...run, body: existsSync(body) ? readFileSync(body, 'utf8') : undefined };
}

describe('run-capture.mjs', () => {
  it.each([
    ['no changes', 0, 'ok'],
    ['changes', 2, 'changes'],
    ['error or failing guard', 1, 'error'],
    ['any other code', 7, 'error'],
  ])('exit code of %s (%i) becomes result %s, and the step itself succeeds', async (_name, exitCode, result) => {
    const run = await capture(fake(`${MARKER}\n## vault-roster plan\n`, '', exitCode));
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ 'exit-code': String(exitCode), result });
    expect(run.stdout).toMatch(new RegExp(`^run-capture: plan: ${result} \\(exit code ${exitCode}\\); body in \\S+plan\\.md\\n$`));
  });

  it('uses the marked Markdown the command printed as the body', async () => {
    const markdown = `${MARKER}\n## vault-roster plan\n\n| Create |\n| ---: |\n| 4 |\n`;
    const run = await capture(fake(markdown, 'reading live users…\n', 2));
    expect(run.body).toBe(markdown);
    // The command's output still reaches the job log.
    expect(run.stderr).toContain('reading live users…');
    expect(run.stderr).toContain('| Create |');
  });

  it('also keeps Markdown under another vault-roster marker as is (the drift report)', async () => {
    const report = '<!-- vault-roster-drift -->\n## Drift\n';
    const run = await capture(fake(report, '', 2), {}, 'drift');
    expect(run.body).toBe(report);
  });

  it('reports unmarked output under the marker in a code block that the output cannot close', async () => {
    const run = await capture(fake('roster.yaml:3:1 error ``` weird\n', 'error: roster.yaml is not valid\n', 1), {}, 'validate');
    expect(run.outputs.result).toBe('error');
    expect(run.body).toBe(
      [MARKER, '### vault-roster validate failed (exit code 1)', '', '````text', 'roster.yaml:3:1 error ``` weird', 'error: roster.yaml is not valid', '````', ''].join('\n'),
    );
  });

  it('strips colour codes from a fallback body', async () => {
    const run = await capture(fake('', '\u001b[31merror\u001b[0m: cannot reach Vault\n', 1));
    expect(run.body).toContain('\nerror: cannot reach Vault\n');
    expect(run.body).not.toContain('\u001b[');
  });

  it.each([
    ['apply refused a stale plan', 'error: plan plan.json is stale: 2 record(s) changed in Vault since it was made\n', 1, 'true'],
    ['apply failed for another reason', 'error: INSUFFICIENT_ACCESS: User not licensed for permission\n', 1, 'false'],
    ['"stale" in a successful run', 'nothing stale here\n', 0, 'false'],
    ['"stalemate" is not "stale"', 'stalemate\n', 1, 'false'],
  ])('stale output: %s', async (_name, stderr, exitCode, stale) => {
    const run = await capture(fake('', stderr, exitCode), {}, 'apply');
    expect(run.outputs.stale).toBe(stale);
  });

  it('masks Vault secrets in the body and the log even if the command printed them', async () => {
    const password = 'S3cret-Vault-Pa55';
    const run = await capture(fake('', `login as x with ${password}\n`, 1), { VAULT_PASSWORD: password });
    expect(run.body).toContain('login as x with ***');
    expect(`${run.body ?? ''}${run.stdout}${run.stderr}`).not.toContain(password);
  });

  it('treats a command that cannot start as an error with exit code 127', async () => {
    const run = await capture(['vault-roster-does-not-exist', 'plan']);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ 'exit-code': '127', result: 'error' });
    expect(run.body).toContain('cannot start vault-roster-does-not-exist: ENOENT');
  });

  it('treats a command killed by a signal as an error', async () => {
    const run = await capture([process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"]);
    expect(run.outputs).toMatchObject({ 'exit-code': '143', result: 'error' });
  });

  it.each([
    ['no command', ['--label', 'plan', '--body', 'x.md'], /give the command after '--'/],
    ['no label', ['--body', 'x.md', '--', 'true'], /--label is required/],
    ['no body', ['--label', 'plan', '--', 'true'], /--body is required/],
  ])('fails on its own usage errors: %s', async (_name, args, expected) => {
    const run = await runScript('run-capture.mjs', args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(run.outputs).toEqual({});
  });
});
