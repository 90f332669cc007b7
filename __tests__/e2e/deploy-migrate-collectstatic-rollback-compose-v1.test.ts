// Seed 001's flow with `compose-command: docker-compose`: Compose v1 (1.29), as its runbook has it.
import { composeUnderTest } from './compose-under-test.js'

composeUnderTest.choice = 'docker-compose'
await import('./deploy-migrate-collectstatic-rollback.suite.js')
