/**
 * The raw shape of `vault_membership` / `app_licensing` in a Retrieve All Users answer, described
 * for a person (types and keys, no values that could name anyone) and matched to the simulator's
 * membership shapes so a capture can replay it. Pure.
 */
import type { MembershipShape } from '../simulator/index.js';

function keysOf(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([k, v]) => `${k}: ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`)
    .join(', ');
}

/** `array of 2 objects {vault_id: number, …}`, `string (31 chars)`, `absent`. */
export function describeRaw(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (typeof value === 'string') return `string (${value.length} chars)`;
  if (!Array.isArray(value)) return typeof value === 'object' ? `object {${keysOf(value as Record<string, unknown>)}}` : typeof value;
  if (value.length === 0) return 'empty array';
  const kinds = new Set(value.map((v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)));
  if (kinds.size === 1 && kinds.has('object')) {
    const first = value[0] as Record<string, unknown>;
    return `array of ${value.length} object(s) {${keysOf(first)}}`;
  }
  return `array of ${value.length} ${[...kinds].join('/')}(s)`;
}

/** The simulator shape one user's blocks are in; undefined when they carry no evidence or fit none. */
export function classifyShape(vaultMembership: unknown, appLicensing: unknown): MembershipShape | undefined {
  for (const value of [vaultMembership, appLicensing]) {
    if (typeof value === 'string' && value.trim() !== '') return 'string';
    if (!Array.isArray(value) || value.length === 0) continue;
    const items = value as unknown[];
    if (items.every((v) => typeof v === 'string')) return 'string-array';
    if (!items.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) return undefined;
    const keys = new Set(items.flatMap((v) => Object.keys(v as object)));
    if (keys.has('vault_id__v') || keys.has('application_name__v')) return 'objects-alt-keys';
    if (keys.has('status__v') || (keys.has('id') && !keys.has('vault_id'))) return 'objects-picklist';
    if (keys.has('vault_id')) return 'objects';
    return undefined;
  }
  return undefined;
}
