/**
 * Fault injection, deterministic with a seed.
 *
 * SPEC string: comma-separated `key=value` pairs, e.g.
 *   seed=7,http500=0.05,http503=0.01,drop=0.01,drop-after=0.01,race=0.02,unexpected=0.01,
 *   exception=0.01,latency=20,expire-session-every=100,fail-rows=alice@x.com|bob@x.com,auth=true
 * Probabilities are 0..1 and sum to at most 1; one PRNG draw per /api request picks at most
 * one of them. `none` or an empty string clears all faults. Faults never touch /_sim/.
 */
import type { FaultSpec } from './types.js';

export class FaultSpecError extends Error {}

export type DrawnFault = 'http500' | 'http503' | 'drop' | 'dropAfter' | 'race' | 'unexpected' | 'exception';

const PROBABILITY_KEYS: Readonly<Record<string, DrawnFault>> = {
  http500: 'http500',
  http503: 'http503',
  drop: 'drop',
  'drop-after': 'dropAfter',
  race: 'race',
  unexpected: 'unexpected',
  exception: 'exception',
};
const DRAW_ORDER: readonly DrawnFault[] = ['http500', 'http503', 'drop', 'dropAfter', 'race', 'unexpected', 'exception'];

function nonNegativeInt(key: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new FaultSpecError(`fault '${key}' needs a whole number, got '${value}'`);
  return Number(value);
}

export function parseFaultSpec(text: string): FaultSpec {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return {};
  const spec: Record<string, unknown> = {};
  for (const pair of trimmed.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FaultSpecError(`fault '${pair.trim()}' is not key=value`);
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const drawn = PROBABILITY_KEYS[key];
    if (drawn !== undefined) {
      const p = Number(value);
      if (value === '' || !Number.isFinite(p) || p < 0 || p > 1) throw new FaultSpecError(`fault '${key}' needs a probability 0..1, got '${value}'`);
      spec[drawn] = p;
    } else if (key === 'seed') spec.seed = nonNegativeInt(key, value);
    else if (key === 'latency') spec.latencyMs = nonNegativeInt(key, value);
    else if (key === 'expire-session-every') spec.expireSessionEvery = nonNegativeInt(key, value);
    else if (key === 'fail-rows') spec.failRows = value.split('|').map((s) => s.trim()).filter((s) => s !== '');
    else if (key === 'auth') {
      if (value !== 'true' && value !== 'false') throw new FaultSpecError(`fault 'auth' needs true or false, got '${value}'`);
      spec.includeAuth = value === 'true';
    } else {
      throw new FaultSpecError(
        `unknown fault '${key}' (known: seed, http500, http503, drop, drop-after, race, unexpected, exception, latency, expire-session-every, fail-rows, auth)`,
      );
    }
  }
  return checkFaultSpec(spec);
}

export function checkFaultSpec(spec: FaultSpec): FaultSpec {
  let total = 0;
  for (const key of DRAW_ORDER) {
    const p = spec[key] ?? 0;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) throw new FaultSpecError(`fault '${key}' needs a probability 0..1`);
    total += p;
  }
  if (total > 1 + 1e-9) throw new FaultSpecError(`fault probabilities add up to ${total.toFixed(3)}, more than 1`);
  return spec;
}

export function formatFaultSpec(spec: FaultSpec): string {
  const parts: string[] = [];
  if (spec.seed !== undefined) parts.push(`seed=${spec.seed}`);
  for (const [text, key] of Object.entries(PROBABILITY_KEYS)) {
    const p = spec[key];
    if (p !== undefined && p > 0) parts.push(`${text}=${p}`);
  }
  if (spec.latencyMs !== undefined && spec.latencyMs > 0) parts.push(`latency=${spec.latencyMs}`);
  if (spec.expireSessionEvery !== undefined && spec.expireSessionEvery > 0) parts.push(`expire-session-every=${spec.expireSessionEvery}`);
  if (spec.failRows !== undefined && spec.failRows.length > 0) parts.push(`fail-rows=${spec.failRows.join('|')}`);
  if (spec.includeAuth === true) parts.push('auth=true');
  return parts.length === 0 ? 'none' : parts.join(',');
}

/** mulberry32: small, fast, good enough to make fault sequences repeatable. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private spec: FaultSpec = {};
  private random: () => number = prng(1);
  private sessionUses = 0;
  private failRowSet: ReadonlySet<string> = new Set();

  constructor(private readonly defaultSeed: number) {}

  /** Replaces the faults and restarts the PRNG, so the same spec replays the same faults. */
  set(input: FaultSpec | string): void {
    const spec = typeof input === 'string' ? parseFaultSpec(input) : checkFaultSpec(input);
    this.spec = spec;
    this.random = prng(spec.seed ?? this.defaultSeed);
    this.sessionUses = 0;
    this.failRowSet = new Set((spec.failRows ?? []).map((s) => s.trim().toLowerCase()));
  }

  get current(): FaultSpec {
    return this.spec;
  }

  get latencyMs(): number {
    return this.spec.latencyMs ?? 0;
  }

  appliesToAuth(): boolean {
    return this.spec.includeAuth === true;
  }

  /** One draw per request; undefined = no fault this time. */
  draw(): DrawnFault | undefined {
    if (!DRAW_ORDER.some((k) => (this.spec[k] ?? 0) > 0)) return undefined;
    const r = this.random();
    let edge = 0;
    for (const key of DRAW_ORDER) {
      edge += this.spec[key] ?? 0;
      if (r < edge) return key;
    }
    return undefined;
  }

  /** Counts a request that carries a valid session; true when this one must find it expired. */
  expireThisSession(): boolean {
    const every = this.spec.expireSessionEvery ?? 0;
    if (every <= 0) return false;
    this.sessionUses += 1;
    return this.sessionUses % every === 0;
  }

  failsRow(...identities: readonly (string | null | undefined)[]): boolean {
    if (this.failRowSet.size === 0) return false;
    return identities.some((id) => typeof id === 'string' && this.failRowSet.has(id.trim().toLowerCase()));
  }
}
