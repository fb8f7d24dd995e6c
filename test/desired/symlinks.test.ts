/**
 * Symbolic links among the included files: a file is read where it really is (once), a link out
 * of the repo is refused without reading it (its contents never reach a message), and a link that
 * is dangling or loops is an error naming it, never a file silently skipped.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDesiredState, type LoadResult } from '../../src/desired/index.js';
import { makeRepo, removeRepo, summarise } from './temp-repo.js';

const ROSTER = 'vault: { api_version: v26.2 }\ninclude:\n  - users/**/*.yaml\n  - "!users/drafts/*.yaml"\n';
const ANN = 'users:\n  - user_name: ann@veepharm.com\n';
/** Would be echoed by an unknown-key diagnostic if the file were ever read. */
const SECRET = 'TOP_SECRET_MARKER_4711';
const OUTSIDE_FILE = `users:\n  - user_name: eve@veepharm.com\n    ${SECRET}: 1\n`;

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) removeRepo(root);
});

/** A repo in `<tmp>/repo` beside an `<tmp>/outside` folder holding a file the repo must not read. */
function repoWithOutside(files: Record<string, string>): { repo: string; outside: string } {
  const root = makeRepo({ 'outside/eve.yaml': OUTSIDE_FILE, 'outside/more/eve2.yaml': OUTSIDE_FILE });
  roots.push(root);
  const repo = join(root, 'repo');
  for (const [path, content] of Object.entries({ 'roster.yaml': ROSTER, ...files })) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  return { repo, outside: join(root, 'outside') };
}

async function load(repo: string): Promise<LoadResult> {
  return loadDesiredState(join(repo, 'roster.yaml'), { cwd: repo });
}

function codes(result: LoadResult): string[] {
  return summarise(result.diagnostics);
}

describe('symbolic links in included files', () => {
  it('reads a linked file where it really is, once, however many links lead to it', async () => {
    const { repo } = repoWithOutside({ 'shared/ann.yaml': ANN });
    mkdirSync(join(repo, 'users'));
    symlinkSync('../shared/ann.yaml', join(repo, 'users/ann.yaml'));
    symlinkSync('../shared/ann.yaml', join(repo, 'users/ann-again.yaml'));
    symlinkSync('ann.yaml', join(repo, 'users/ann-chain.yaml'));
    const result = await load(repo);
    expect(codes(result)).toEqual([]);
    expect(result.ok && result.state.files.map((f) => f.path)).toEqual(['roster.yaml', 'shared/ann.yaml']);
    expect(result.ok && result.state.users.map((u) => u.user_name)).toEqual(['ann@veepharm.com']);
  });

  it('refuses a link to a file outside the repo without reading it', async () => {
    const { repo, outside } = repoWithOutside({ 'users/ann.yaml': ANN });
    symlinkSync(join(outside, 'eve.yaml'), join(repo, 'users/eve.yaml'));
    const result = await load(repo);
    expect(result.ok).toBe(false);
    expect(codes(result)).toEqual(['roster.yaml:3:5 include-outside-repo']);
    expect(result.diagnostics[0]?.summary).toBe(
      `users/eve.yaml (matched by include "users/**/*.yaml") is a symbolic link to ${join(outside, 'eve.yaml')}, outside the folder of roster.yaml; it was not read`,
    );
    expect(JSON.stringify(result.diagnostics)).not.toContain(SECRET);
  });

  it('refuses a link to a folder outside the repo that a pattern walks into, reading nothing there', async () => {
    const { repo, outside } = repoWithOutside({ 'users/ann.yaml': ANN });
    symlinkSync(outside, join(repo, 'users/ext'));
    const result = await load(repo);
    expect(codes(result)).toEqual(['roster.yaml:3:5 include-outside-repo']);
    expect(result.diagnostics[0]?.summary).toBe(
      `include "users/**/*.yaml" reaches through the symbolic link users/ext into ${outside}, outside the folder of roster.yaml; nothing there was read`,
    );
    expect(JSON.stringify(result.diagnostics)).not.toContain(SECRET);
  });

  it.each([
    ['dangling link', (repo: string) => {
        symlinkSync('nowhere.yaml', join(repo, 'users/gone.yaml'));
      }, 'include-dangling-symlink', 'a symbolic link to a file that does not exist'],
    ['link looping on itself', (repo: string) => {
        symlinkSync('gone.yaml', join(repo, 'users/gone.yaml'));
      }, 'include-symlink-loop', 'a symbolic link that loops back on itself'],
    [
      'link looping through another link',
      (repo: string) => {
        symlinkSync('other.yaml', join(repo, 'users/gone.yaml'));
        symlinkSync('gone.yaml', join(repo, 'users/other.yaml'));
      },
      'include-symlink-loop',
      'a symbolic link that loops back on itself',
    ],
  ])('a %s is an error naming it', async (_name, link, code, words) => {
    const { repo } = repoWithOutside({ 'users/ann.yaml': ANN });
    link(repo);
    const result = await load(repo);
    expect(result.ok).toBe(false);
    const found = result.diagnostics.filter((d) => d.code === code);
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]?.summary).toBe(`users/gone.yaml (matched by include "users/**/*.yaml") is ${words}`);
    expect(found[0]?.position).toEqual({ file: 'roster.yaml', line: 3, col: 5 });
    expect(found[0]?.hint).toMatch(/Point the link at a file inside the repo, or remove it/);
  });

  it('ignores broken links the patterns do not select or exclude', async () => {
    const { repo } = repoWithOutside({ 'users/ann.yaml': ANN });
    symlinkSync('nowhere.md', join(repo, 'users/README.md'));
    mkdirSync(join(repo, 'users/drafts'));
    symlinkSync('nowhere.yaml', join(repo, 'users/drafts/wip.yaml'));
    const result = await load(repo);
    expect(codes(result)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('a link back up the repo neither hangs nor includes a file twice', async () => {
    const { repo } = repoWithOutside({ 'users/ann.yaml': ANN });
    symlinkSync('..', join(repo, 'users/up'));
    const result = await load(repo);
    expect(codes(result)).toEqual([]);
    expect(result.ok && result.state.files.map((f) => f.path)).toEqual(['roster.yaml', 'users/ann.yaml']);
  });
});
