/**
 * Reading a desired file again after the load (for line numbers, or a block the desired state does
 * not carry): only the bytes the load checked are trusted. A file edited meanwhile is refused.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { VaultRosterError } from '../errors.js';
import type { DesiredState } from '../model.js';
import { parseYamlFile, type YamlFile } from './yaml-file.js';

export interface LoadedFile {
  readonly yaml: YamlFile;
  readonly text: string;
}

function changed(display: string, why: string): VaultRosterError {
  return new VaultRosterError('invalid-input', `${display} ${why} since vault-roster loaded it`, { hint: 'Run the command again once nobody is editing the repo.' });
}

/** `path` (absolute) as the load read it: its sha256 must be the one `desired.files` records. */
export function readLoadedFile(desired: DesiredState, path: string, display: string): LoadedFile {
  const key = relative(dirname(desired.config_path), path).split(sep).join('/');
  const expected = desired.files.find((f) => f.path === key)?.sha256;
  if (expected === undefined) throw changed(display, 'was not one of the files');
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(path));
  } catch (error) {
    throw changed(display, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== expected) throw changed(display, 'changed');
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const parsed = parseYamlFile(text, display);
  if (!parsed.ok) throw changed(display, 'no longer parses');
  return { yaml: parsed.yaml, text };
}
