/**
 * Test assertions: `node:assert/strict` (JSR's @std/assert is unreachable here).
 *
 * @module
 */
import assert from "node:assert/strict";

/** Deep equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}
/** Regex match. */
export function assertMatch(actual: string, re: RegExp, message?: string): void {
  assert.match(actual, re, message);
}
/** Truthiness. */
export function assertOk(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}
/** The function throws an error of `type` whose message matches `re`. */
export function assertThrowsMatch<E extends Error>(
  fn: () => unknown,
  type: abstract new (...a: never[]) => E,
  re?: RegExp,
): E {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e}`);
    if (re) assert.match((e as Error).message, re);
    return e as E;
  }
  throw new assert.AssertionError({ message: `expected ${type.name} to be thrown` });
}
