/**
 * Loading a capture written by `vault-roster doctor --record DIR`: DIR/profile.json (a
 * `ProfileSpec`) and DIR/seed.json (a seed). Each file is checked as any profile or seed is; a
 * missing or damaged one is a `CaptureError` naming the file and what to do, never a crash.
 * capture.json and findings.json are for people; they are not needed to replay.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileError, resolveProfile, type ProfileSpec, type SimulatorProfile } from './profiles.js';
import { parseSeed, SeedError } from './seed.js';
import type { SimulatorSeed } from './types.js';

export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

export const CAPTURE_PROFILE_FILE = 'profile.json';
export const CAPTURE_SEED_FILE = 'seed.json';

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CaptureError(`${path}: cannot read it (${code === 'ENOENT' ? 'missing' : code})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CaptureError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

export interface LoadedCapture {
  readonly profile: SimulatorProfile;
  readonly seed: SimulatorSeed;
}

/** The profile and seed of a capture folder, both checked. */
export function loadCapture(dir: string): LoadedCapture {
  const profilePath = join(dir, CAPTURE_PROFILE_FILE);
  const seedPath = join(dir, CAPTURE_SEED_FILE);
  const spec = readJson(profilePath);
  let profile: SimulatorProfile;
  try {
    profile = resolveProfile(spec as ProfileSpec);
  } catch (error) {
    if (error instanceof ProfileError) throw new CaptureError(`${profilePath}: ${error.message}`);
    throw error;
  }
  const seed = readJson(seedPath);
  try {
    parseSeed(seed);
  } catch (error) {
    if (error instanceof SeedError) throw new CaptureError(`${seedPath}: ${error.message}`);
    throw error;
  }
  return { profile, seed: seed as SimulatorSeed };
}
