/**
 * What two pages of Retrieve All Users say about how this Vault pages (VAULT-API.md §5.2, §14.6):
 * the largest page it serves, what it echoes as `limit`, and whether `size` counts the page or the
 * whole listing. Pure: the pages are observed elsewhere. Where two readings give the same answer
 * (e.g. `limit` echoed "as applied" or "as requested" when nothing was clamped) the switch is
 * reported as not observed and keeps the simulator's default.
 */
import type { UsersReadBehaviour } from '../simulator/index.js';

/** One page as the doctor asked for it and Vault answered it. */
export interface PageObservation {
  readonly start: number;
  readonly requested: number;
  /** Users on the page. */
  readonly received: number;
  /** `limit` and `size` exactly as sent (any JSON type), `undefined` when absent. */
  readonly limit: unknown;
  readonly size: unknown;
}

export type PagingSwitch = 'pageCap' | 'overCap' | 'limitEcho' | 'size';

export interface PagingInference {
  /** Switches with a value the pages support; those not observed are absent. */
  readonly read: Partial<Pick<UsersReadBehaviour, PagingSwitch>>;
  /** Why each switch has its value, or why it could not be told. */
  readonly notes: readonly string[];
  /** Answers that fit no reading vault-roster knows (each a FAIL). */
  readonly anomalies: readonly string[];
}

function count(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

interface Mutable {
  read: { -readonly [K in PagingSwitch]?: UsersReadBehaviour[K] };
  notes: string[];
  anomalies: string[];
}

function inferCap(out: Mutable, first: PageObservation, second: PageObservation | undefined, refusedAbove: number | undefined): void {
  if (refusedAbove !== undefined) {
    out.read.overCap = 'refuse';
    // Vault-roster then reads 200 per page; the exact cap between 200 and the refused size is not probed.
    out.read.pageCap = first.requested;
    out.notes.push(`limit=${refusedAbove} refused; limit=${first.requested} served ${first.received} users (cap taken as ${out.read.pageCap})`);
    return;
  }
  if (first.received >= first.requested) {
    out.read.pageCap = first.requested;
    out.notes.push(`a page of ${first.requested} was served whole (cap at least ${first.requested})`);
    return;
  }
  if (second !== undefined && second.received > 0) {
    out.read.pageCap = first.received;
    out.read.overCap = 'clamp';
    out.notes.push(`limit=${first.requested} served ${first.received} users while more followed: pages are capped at ${first.received}`);
    return;
  }
  out.notes.push(`all ${first.received} users fit on one page: the page cap is not observed (at least ${first.received})`);
}

function inferEcho(out: Mutable, first: PageObservation, capped: boolean): void {
  if (first.limit === undefined) {
    out.read.limitEcho = 'none';
    out.notes.push('no limit in the answer');
    return;
  }
  const echoed = count(first.limit);
  if (echoed === undefined || echoed === 0) {
    out.anomalies.push(`"limit" is ${JSON.stringify(first.limit)}, not a positive whole number`);
    return;
  }
  if (capped && echoed === first.requested) out.read.limitEcho = 'requested';
  else if (capped && echoed === first.received) out.read.limitEcho = 'applied';
  else if (echoed === first.requested) {
    out.notes.push(`limit echoed as ${echoed}: nothing was clamped, so "applied" and "requested" cannot be told apart`);
    return;
  } else if (echoed < first.received) {
    out.anomalies.push(`limit echoed as ${echoed} on a page of ${first.received} users`);
    return;
  } else {
    out.notes.push(`limit echoed as ${echoed} for ${first.requested} requested, ${first.received} served`);
    return;
  }
  out.notes.push(`limit echoed as ${echoed}: the ${out.read.limitEcho} one`);
}

function inferSize(out: Mutable, first: PageObservation, second: PageObservation | undefined): void {
  const s1 = count(first.size);
  if (first.size === undefined) {
    out.notes.push('no size in the answer (vault-roster never pages by it)');
    return;
  }
  if (s1 === undefined) {
    out.anomalies.push(`"size" is ${JSON.stringify(first.size)}, not a whole number`);
    return;
  }
  if (s1 > first.received) {
    out.read.size = 'total';
    out.notes.push(`size ${s1} with ${first.received} users on the page: size is the total`);
    return;
  }
  if (s1 < first.received) {
    out.anomalies.push(`size ${s1} is less than the ${first.received} users on the page`);
    return;
  }
  const s2 = second === undefined ? undefined : count(second.size);
  if (second === undefined || s2 === undefined) {
    out.notes.push(`size ${s1} equals the page length; with one page it could also be the total`);
    return;
  }
  out.read.size = s2 === second.received ? 'page' : 'total';
  out.notes.push(`size ${s1} then ${s2} on pages of ${first.received} and ${second.received} users: size is the ${out.read.size === 'page' ? 'page length' : 'total'}`);
}

/**
 * `first` is the first page served (after any refused larger size, `refusedAbove`); `second` is
 * the page at `start = first.received` with the same limit, if it was asked for.
 */
export function inferPaging(first: PageObservation, second: PageObservation | undefined, refusedAbove?: number): PagingInference {
  const out: Mutable = { read: {}, notes: [], anomalies: [] };
  if (first.received > first.requested) out.anomalies.push(`${first.received} users on a page of limit ${first.requested}`);
  inferCap(out, first, second, refusedAbove);
  const capped = refusedAbove === undefined && first.received < first.requested && second !== undefined && second.received > 0;
  inferEcho(out, first, capped);
  inferSize(out, first, second);
  return out;
}
