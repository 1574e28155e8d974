import type { Condition } from './types';

/** Whether every key of a knowledge-base condition holds in scope: equal to a scalar, or one of a list. Unknown keys never hold. */
export function holds(condition: Condition | undefined, scope: Record<string, unknown>): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([key, expected]) => {
    const actual = scope[key];
    if (actual === undefined || actual === null) return false;
    return Array.isArray(expected) ? expected.includes(actual as never) : actual === expected;
  });
}
