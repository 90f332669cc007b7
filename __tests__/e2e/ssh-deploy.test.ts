// The ssh-deploy suite with Compose found by detection: v2 on the testbed, as on real servers.
await import('./ssh-deploy.suite.js')
