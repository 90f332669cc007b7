// What the app's config file may hold: the settings of the root action and ssh-deploy that
// describe the app and its servers, under their input names; the inputs left out are here with
// the reason the file refuses them. Plain JavaScript, as `npm run docs` reads it too (it writes
// deploy-kit.schema.json from these keys and the root action.yml).

/** Inputs the config file refuses, with the reason; every other input of the root action is a key. */
export const NOT_IN_CONFIG = {
  key: 'is a secret',
  passphrase: 'is a secret',
  password: 'is a secret',
  'proxy-key': 'is a secret',
  'proxy-passphrase': 'is a secret',
  'proxy-password': 'is a secret',
  'registry-password': 'is a secret',
  'github-token': 'is a secret',
  env: 'holds secret values',
  ref: 'is chosen per run',
  images: 'is chosen per run (the build job’s digests)',
  'allow-older': 'is chosen per run',
  'rollback-to': 'is chosen per run',
  config: 'names the file itself',
  environment:
    'names the GitHub environment, which a workflow’s job must know before its first step',
  'environment-url':
    'belongs to the GitHub environment, which a workflow’s job must know before its first step'
}

/** How a refused key is given instead. */
export function notInConfigFix(key) {
  return NOT_IN_CONFIG[key].includes('secret')
    ? `Pass it as an input from a secret (with: ${key}: \${{ secrets.… }}); a file in the repository is no place for it`
    : 'Pass it as an input of the step or the workflow'
}

/**
 * The keys of the config file: every input of the root action (action.yml)
 * that NOT_IN_CONFIG does not refuse. A unit test keeps this list and
 * action.yml in step.
 */
export const CONFIG_KEYS = [
  'host',
  'port',
  'username',
  'key-path',
  'known-hosts',
  'fingerprint',
  'insecure-skip-host-key-check',
  'proxy-host',
  'proxy-port',
  'proxy-username',
  'proxy-known-hosts',
  'proxy-fingerprint',
  'connect-timeout',
  'connect-retries',
  'command-timeout',
  'max-parallel',
  'app-dir',
  'compose-files',
  'env-file',
  'project-name',
  'compose-command',
  'source',
  'upload-path',
  'repository',
  'registry',
  'registry-username',
  'vars',
  'required-env',
  'services',
  'build',
  'pull',
  'target',
  'swarm-update-order',
  'swarm-failure-action',
  'swarm-update-monitor',
  'swarm-update-parallelism',
  'strategy',
  'proxy-service',
  'proxy-reload-command',
  'stop-grace-period',
  'wait',
  'wait-timeout',
  'wait-stable',
  'wait-ignore',
  'pre-deploy',
  'post-deploy',
  'lock',
  'lock-timeout',
  'keep-releases',
  'canary',
  'fleet-rollback',
  'min-free-mb',
  'migrate-tool',
  'migrate-before-start',
  'migrate-service',
  'migrate-mode',
  'migrate-command',
  'migrate-down-command',
  'python',
  'migrate-host',
  'migrate-down-target',
  'backup',
  'backup-service',
  'backup-database',
  'backup-user',
  'backup-dir',
  'backup-keep',
  'restore-on-failure',
  'restore-stop-services',
  'restore-lock-timeout',
  'backup-verify',
  'backup-copy-to',
  'backup-artifact',
  'backup-artifact-retention-days',
  'collectstatic',
  'collectstatic-clear',
  'collectstatic-service',
  'smoke-urls',
  'smoke-from',
  'smoke-expect-status',
  'smoke-expect-json',
  'smoke-wait-timeout',
  'auto-rollback'
]
