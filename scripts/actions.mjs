/**
 * Every bundled entry: src/<source>/index.ts → dist/<name>/index.js. `name` is the public
 * action folder (`uses: org/deploy-kit/<name>@v1`); `deploy` is the root action.
 */
export const ACTIONS = [
  { name: 'test', source: 'run-tests' },
  { name: 'build-image', source: 'build-image' },
  { name: 'ssh-deploy', source: 'ssh-deploy' },
  { name: 'migrate', source: 'migrate' },
  { name: 'collectstatic', source: 'collectstatic' },
  { name: 'smoke-check', source: 'smoke-check' },
  { name: 'ssh', source: 'ssh' },
  { name: 'config', source: 'config' },
  { name: 'deploy', source: 'whole-deploy' }
]

export const ENTRIES = ACTIONS.map(a => a.name)
