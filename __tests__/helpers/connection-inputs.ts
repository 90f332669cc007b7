// Connection and app-dir inputs that are valid, so a settings test gives only
// the inputs it is about.
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'

export const CONNECTION_INPUTS: Readonly<Record<string, string>> = {
  host: 'deploy@web1',
  key: KEY,
  'insecure-skip-host-key-check': 'true',
  'app-dir': '/srv/app'
}
