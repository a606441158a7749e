// The one assertion of the error tests: fn throws an instance of `type` whose message contains every
// string fragment and matches every RegExp one.
export function expectError(fn: () => unknown, type: new (...args: never[]) => Error, ...fragments: (string | RegExp)[]): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(type);
  for (const f of fragments) expect((thrown as Error).message).toMatch(f);
}
