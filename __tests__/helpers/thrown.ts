/** The error of the given class that `fn` throws; fails the test when it throws none or another. */
export function thrown<E extends Error>(
  fn: () => unknown,
  type: abstract new (...args: never[]) => E
): E {
  try {
    fn()
  } catch (error) {
    if (error instanceof type) return error
    throw error
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`)
}
