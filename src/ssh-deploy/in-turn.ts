/**
 * Runs `work` for each item in the order given, stopping at the first
 * failure, whose message names the service and the ones already done
 * (`rolling worker: … (already replaced: backend)`). `before` runs ahead of
 * each item and its error passes through as it is (a lost deploy lock).
 */
import { errorMessage } from '../core/errors.js'

export async function inTurn<T>(
  items: readonly T[],
  serviceOf: (item: T) => string,
  words: { doing: string; done: string },
  work: (item: T) => Promise<void>,
  before?: (service: string) => Promise<void>
): Promise<void> {
  const done: string[] = []
  for (const item of items) {
    await before?.(serviceOf(item))
    try {
      await work(item)
    } catch (err) {
      const before = done.length ? ` (already ${words.done}: ${done.join(', ')})` : ''
      throw new Error(`${words.doing} ${serviceOf(item)}: ${errorMessage(err)}${before}`)
    }
    done.push(serviceOf(item))
  }
}
