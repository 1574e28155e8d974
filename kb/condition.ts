import type { Condition, ConditionValue } from './types';

type Expected = ConditionValue | ConditionValue[] | { not: ConditionValue | ConditionValue[] } | Condition[];

function isNot(expected: Expected): expected is { not: ConditionValue | ConditionValue[] } {
  return typeof expected === 'object' && expected !== null && !Array.isArray(expected) && 'not' in expected;
}

function matches(actual: unknown, expected: ConditionValue | ConditionValue[]): boolean {
  return Array.isArray(expected) ? expected.includes(actual as never) : actual === expected;
}

/**
 * Whether every key of a knowledge-base condition holds in scope: equal to a scalar, or one of a list; `{ not: … }` holds
 * when the key is unknown or none of the values; `anyOf: [condition …]` when one of the conditions does. Other unknown keys
 * never hold.
 */
export function holds(condition: Condition | undefined, scope: Record<string, unknown>): boolean {
  if (!condition) return true;
  return Object.entries(condition as Record<string, Expected>).every(([key, expected]) => {
    if (key === 'anyOf') return (expected as Condition[]).some((c) => holds(c, scope));
    const actual = scope[key];
    if (isNot(expected)) return actual === undefined || actual === null || !matches(actual, expected.not);
    if (actual === undefined || actual === null) return false;
    return matches(actual, expected as ConditionValue | ConditionValue[]);
  });
}

/** The slots and facts a condition tests, also inside anyOf. */
export function testedKeys(condition: Condition): string[] {
  return Object.entries(condition).flatMap(([key, expected]) => (key === 'anyOf' ? (expected as Condition[]).flatMap(testedKeys) : [key]));
}
