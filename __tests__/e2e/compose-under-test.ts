import { describe, it } from '@jest/globals'

/**
 * Which `compose-command` the ssh-deploy suite passes: `auto` finds v2 on the
 * testbed's servers, as on real ones; the v1 run sets `docker-compose` before
 * it loads the suite.
 */
export const composeUnderTest: { choice: 'auto' | 'docker compose' | 'docker-compose' } = {
  choice: 'auto'
}

/**
 * A test whose outcome no Compose command takes part in (a refusal before any
 * change, the lock, the release log, what the server prints) runs in the
 * detection run only; the v1 run lists it as skipped. Read at the time the
 * suite defines its tests, after the v1 run made its choice.
 */
export function describeAnyCompose(name: string, body: () => void): void {
  ;(composeUnderTest.choice === 'auto' ? describe : describe.skip)(name, body)
}

export function itAnyCompose(name: string, body: () => Promise<void>, timeout?: number): void {
  ;(composeUnderTest.choice === 'auto' ? it : it.skip)(name, body, timeout)
}
