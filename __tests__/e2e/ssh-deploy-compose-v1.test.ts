// The ssh-deploy suite with `compose-command: docker-compose`: Compose v1 (1.29), which older
// servers and seed 001's runbook still use. Tests that no Compose command takes part in run in
// the detection run only (ssh-deploy.test.ts).
import { composeUnderTest } from './compose-under-test.js'

composeUnderTest.choice = 'docker-compose'
await import('./ssh-deploy.suite.js')
