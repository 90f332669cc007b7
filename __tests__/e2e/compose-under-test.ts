/**
 * Which `compose-command` the ssh-deploy suite passes: `auto` finds v2 on the
 * testbed's servers, as on real ones; the v1 run sets `docker-compose` before
 * it loads the suite.
 */
export const composeUnderTest: { choice: 'auto' | 'docker compose' | 'docker-compose' } = {
  choice: 'auto'
}
