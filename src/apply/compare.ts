/** The first place two plain-JSON values differ, for refusals that name the field. Pure. */

export interface Difference {
  /** `rows[3].membership.security_profile`; '' for the values themselves. */
  readonly path: string;
  readonly saved: unknown;
  readonly derived: unknown;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Walks both values with an explicit stack (no recursion, so no depth limit) and returns the
 * first difference in document order, or undefined when they are equal.
 */
export function firstDifference(saved: unknown, derived: unknown): Difference | undefined {
  const stack: [string, unknown, unknown][] = [['', saved, derived]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [path, a, b] = top;
    if (a === b) continue;
    if (Array.isArray(a) && Array.isArray(b)) {
      // Pushed in reverse, so the first element is looked at first.
      for (let i = Math.max(a.length, b.length) - 1; i >= 0; i--) stack.push([join(path, i), a[i] as unknown, b[i] as unknown]);
      continue;
    }
    if (isObject(a) && isObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].reverse();
      for (const key of keys) stack.push([join(path, key), a[key], b[key]]);
      continue;
    }
    return { path, saved: a, derived: b };
  }
  return undefined;
}

/** A value as a short excerpt for a message. */
export function excerpt(value: unknown): string {
  if (value === undefined) return '(nothing)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
