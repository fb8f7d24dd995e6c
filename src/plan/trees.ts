/**
 * Records as plain JSON trees, and the managed-fields-only comparison of a live tree with a
 * target tree. Field-level differences come from deep-diff over the live tree restricted to
 * the target's keys, so a field absent from YAML can never show up.
 */
import deepDiff from 'deep-diff';
import { formatFieldPath, leafDepth } from './field-paths.js';
import type { FieldChange, JsonValue } from './types.js';

export type Tree = { [key: string]: JsonValue };

export function isTree(value: JsonValue | undefined): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBlank(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * True when Vault would treat the live and target values as the same: trimmed strings,
 * e-mail case, empty string / null / missing for a cleared field, `5` vs `"5"`, add-on lists
 * in any order.
 */
export function sameValue(live: JsonValue | undefined, target: JsonValue, key: string): boolean {
  if (live === target) return true;
  if (isBlank(live) && isBlank(target)) return true;
  if (live === undefined || live === null || target === null) return false;
  if (typeof live === 'string' && typeof target === 'string') {
    const a = live.trim();
    const b = target.trim();
    return key === 'email' ? a.toLowerCase() === b.toLowerCase() : a === b;
  }
  if (typeof live === 'number' && typeof target === 'string') return String(live) === target.trim();
  if (typeof live === 'string' && typeof target === 'number') return live.trim() === String(target);
  if (Array.isArray(live) && Array.isArray(target)) {
    if (live.length !== target.length) return false;
    const a = live.map((v) => JSON.stringify(v)).sort();
    const b = target.map((v) => JSON.stringify(v)).sort();
    return a.every((v, i) => v === b[i]);
  }
  return false;
}

export interface Restricted {
  /** The live tree cut down to the target's keys; equivalent leaves take the target's value. */
  readonly tree: Tree;
  readonly equal: boolean;
}

/** Cuts `live` down to the keys `target` manages. Leaves `equal` true when nothing differs. */
export function restrictToTarget(live: Tree | undefined, target: Tree): Restricted {
  const tree: Tree = {};
  let equal = true;
  for (const key of Object.keys(target)) {
    const t = target[key];
    if (t === undefined) continue;
    const l = live?.[key];
    if (isTree(t)) {
      if (isTree(l)) {
        const sub = restrictToTarget(l, t);
        tree[key] = sub.tree;
        if (!sub.equal) equal = false;
      } else {
        equal = false;
      }
    } else if (sameValue(l, t, key)) {
      tree[key] = t;
    } else {
      if (l !== undefined) tree[key] = l;
      equal = false;
    }
  }
  return { tree, equal };
}

function valueAt(tree: Tree, segments: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = tree;
  for (const segment of segments) {
    if (!isTree(node)) return undefined;
    node = node[segment];
  }
  return node;
}

/** Leaf paths of a tree in its key order (membership keys are numeric, so they come sorted). */
function leavesOf(tree: Tree, prefix: string[], out: string[][]): void {
  for (const key of Object.keys(tree)) {
    const segments = [...prefix, key];
    const value = tree[key];
    if (isTree(value) && segments.length < leafDepth(segments)) leavesOf(value, segments, out);
    else out.push(segments);
  }
}

/**
 * Field changes turning `before` into `after`, one per leaf, in `after`'s key order.
 * `before` is the restricted live tree, so every path here is one the target manages.
 */
export function diffTrees(before: Tree, after: Tree): FieldChange[] {
  const touched = new Set<string>();
  for (const d of deepDiff.diff<Tree, Tree>(before, after) ?? []) {
    const path = (d.path ?? []).map((p: unknown) => String(p));
    const depth = leafDepth(path);
    if (path.length >= depth) {
      touched.add(path.slice(0, depth).join('\u0000'));
    } else {
      // A whole new subtree (a new membership, a new site): every leaf under it changed.
      const node = valueAt(after, path);
      const leaves: string[][] = [];
      if (isTree(node)) leavesOf(node, path, leaves);
      else leaves.push(path);
      for (const leaf of leaves) touched.add(leaf.join('\u0000'));
    }
  }
  const ordered: string[][] = [];
  leavesOf(after, [], ordered);
  const changes: FieldChange[] = [];
  for (const leaf of ordered) {
    if (!touched.has(leaf.join('\u0000'))) continue;
    const was = valueAt(before, leaf) ?? null;
    const will = valueAt(after, leaf) ?? null;
    // A new record's cleared field (null → null) is not a change worth showing.
    if (sameValue(was, will, leaf[leaf.length - 1] ?? '')) continue;
    changes.push({ path: formatFieldPath(leaf), before: was, after: will });
  }
  return changes;
}
