// Seed 001's flow with Compose found by detection: v2 on the testbed, as on real servers.
await import('./deploy-migrate-collectstatic-rollback.suite.js')
