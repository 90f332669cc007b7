/** Every bundled entry: src/<name>/index.ts → dist/<name>/index.js. `deploy` is the root action. */
export const ENTRIES = [
  'test',
  'build-image',
  'ssh-deploy',
  'migrate',
  'collectstatic',
  'smoke-check',
  'deploy'
]
