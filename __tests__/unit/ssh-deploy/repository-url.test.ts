import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mapInputs } from '../../../src/core/inputs.js'
import { shellLaunch } from '../../../src/core/remote-command.js'
import { gitCommands } from '../../../src/commands/git.js'
import {
  parseRepository,
  repositorySecrets,
  shownRepository
} from '../../../src/ssh-deploy/repository-url.js'
import { readDeploySettings, runContext } from '../../../src/ssh-deploy/settings.js'
import { captureOutput } from '../../helpers/capture-output.js'

const TOKEN = 'ghp_0123456789abcdefghij'

describe('parseRepository', () => {
  it('takes user and token out of an https URL', () => {
    expect(parseRepository(`https://x-access-token:${TOKEN}@github.com/acme/app.git`)).toEqual({
      url: 'https://github.com/acme/app.git',
      shown: 'https://***@github.com/acme/app.git',
      credentials: { origin: 'https://github.com', username: 'x-access-token', password: TOKEN }
    })
  })

  it('takes a lone token as the user name with an empty password, as git sends it', () => {
    expect(parseRepository(`https://${TOKEN}@git.example.com:8443/acme/app`)).toEqual({
      url: 'https://git.example.com:8443/acme/app',
      shown: 'https://***@git.example.com:8443/acme/app',
      credentials: { origin: 'https://git.example.com:8443', username: TOKEN, password: '' }
    })
  })

  it('decodes percent-escapes in the credentials, as git does, and keeps the URL as written', () => {
    const r = parseRepository('HTTPS://me:p%40ss%2Fw0rd@Git.Example.com/a%20b.git')
    expect(r.credentials).toEqual({
      origin: 'https://git.example.com',
      username: 'me',
      password: 'p@ss/w0rd'
    })
    expect(r.url).toBe('HTTPS://Git.Example.com/a%20b.git')
  })

  it('takes the host after the last @ of the authority', () => {
    expect(parseRepository(`https://me:a@b@host/r.git`)).toMatchObject({
      url: 'https://host/r.git',
      credentials: { username: 'me', password: 'a@b' }
    })
  })

  it.each([
    '/srv/git/app.git',
    'file:///srv/git/app.git',
    'https://github.com/acme/app.git',
    'http://mirror.internal/acme/app.git',
    'ssh://git@github.com/acme/app.git',
    'git@github.com:acme/app.git',
    'git://example.com/app.git'
  ])('leaves %s as it is: no credentials', url => {
    expect(parseRepository(`  ${url}\n`)).toEqual({ url, shown: url })
  })

  it.each([
    [
      `http://me:${TOKEN}@example.com/app.git`,
      "Input 'repository': holds credentials in an http:// URL (http://***@example.com/app.git), which would send them unencrypted"
    ],
    [`http://${TOKEN}@example.com/app.git`, 'http://***@example.com/app.git'],
    [
      `ssh://git:${TOKEN}@example.com/app.git`,
      "Input 'repository': holds a password in a ssh:// URL (ssh://***@example.com/app.git); git does not send it"
    ],
    [
      `git:${TOKEN}@example.com:acme/app.git`,
      'holds a password in an scp-like ssh address (git:***@…)'
    ],
    ['--upload-pack=touch /tmp/x', 'starts with -'],
    ['https://example.com/a\nb', 'holds a control character'],
    [
      `https://me:${TOKEN}%0A@example.com/app.git`,
      'the credentials hold a newline or NUL once decoded'
    ],
    [
      `https://me:${TOKEN}@exa mple.com/app.git`,
      'https://***@exa mple.com/app.git is not a valid URL'
    ]
  ])('refuses %j, naming the input, never the secret', (given, message) => {
    let error: unknown
    try {
      parseRepository(given)
    } catch (err) {
      error = err
    }
    expect((error as Error).message).toContain(message)
    expect((error as Error).message).toMatch(/^Input 'repository': /)
    expect((error as Error).message).not.toContain(TOKEN)
  })
})

describe('repositorySecrets and shownRepository', () => {
  it.each([
    [`https://me:${TOKEN}@github.com/acme/app.git`, [TOKEN]],
    [`https://${TOKEN}@github.com/acme/app.git`, [TOKEN]],
    ['https://me:p%40ss@github.com/x', ['p%40ss', 'p@ss']],
    [`http://${TOKEN}@github.com/x`, [TOKEN]],
    [`ssh://git:${TOKEN}@github.com/x`, [TOKEN]],
    [`git:${TOKEN}@github.com:x`, [TOKEN]],
    // a user name over ssh is no secret: masking `git` would hide every "git" in the log
    ['ssh://git@github.com/x', []],
    ['git@github.com:acme/app.git', []],
    ['https://github.com/acme/app.git', []],
    ['/srv/git/app.git', []]
  ])('%s holds %j', (url, secrets) => {
    expect(repositorySecrets(url)).toEqual(secrets)
  })

  it('shows user info as ***@, also in text that is not a valid URL', () => {
    expect(shownRepository(`https://me:${TOKEN}@exa mple.com/x`)).toBe('https://***@exa mple.com/x')
    expect(shownRepository('https://github.com/acme/app.git')).toBe(
      'https://github.com/acme/app.git'
    )
  })
})

describe('git commands with credentials', () => {
  const { credentials } = parseRepository(`https://x-access-token:${TOKEN}@github.com/acme/app.git`)

  it('stores the URL without credentials in a new clone', () => {
    const repo = parseRepository(`https://${TOKEN}@github.com/acme/app.git`)
    const cmd = gitCommands.init(repo, '/srv/app')
    expect(cmd.argv.at(-1)).toBe('https://github.com/acme/app.git')
    expect(JSON.stringify(cmd)).not.toContain(TOKEN)
  })

  it.each([
    ['fetchAll', gitCommands.fetchAll('/srv/app', credentials)],
    ['fetchRef', gitCommands.fetchRef('/srv/app', 'v1', credentials)]
  ])('%s hands the token to git as a secret env value, never in argv', (_, cmd) => {
    expect(cmd.argv.slice(0, 5)).toEqual([
      'git',
      '-c',
      'credential.helper=',
      '-c',
      expect.stringMatching(/^credential\.https:\/\/github\.com\.helper=!f\(\) \{/)
    ])
    expect(cmd.argv.join(' ')).not.toContain(TOKEN)
    expect(cmd.secretEnv).toEqual(['DEPLOYKIT_GIT_USERNAME', 'DEPLOYKIT_GIT_PASSWORD'])
    expect(cmd.env).toMatchObject({ DEPLOYKIT_GIT_PASSWORD: TOKEN, GIT_TERMINAL_PROMPT: '0' })
    // What the server's sshd gets as the command line holds none; the token travels on stdin.
    const launch = shellLaunch(cmd)
    expect(launch.script).not.toContain(TOKEN)
    expect(String(launch.stdin)).toContain(TOKEN)
  })

  it('is the plain fetch without credentials', () => {
    expect(gitCommands.fetchRef('/srv/app', 'v1').argv.slice(0, 4)).toEqual([
      'git',
      '-C',
      '/srv/app',
      'fetch'
    ])
    expect(gitCommands.fetchAll('/srv/app').env).toBeUndefined()
  })

  it('gives git exactly the credentials through the helper, whatever they hold, and answers only get', () => {
    const tricky = parseRepository(
      `https://u%5Cn%24(id)%60x:${encodeURIComponent(`it's "$HOME" \\c %s`)}@github.com/x`
    )
    const cmd = gitCommands.fetchAll('/srv/app', tricky.credentials)
    const helper = (cmd.argv[4] as string).replace(/^[^=]+\.helper=!/, '')
    // git runs a `!` helper as `sh -c '<helper> get'`, with the fetch's environment.
    const answer = (action: string) =>
      execFileSync('sh', ['-c', `${helper} ${action}`], {
        env: { PATH: process.env.PATH, ...cmd.env },
        encoding: 'utf8'
      })
    expect(answer('get')).toBe(`username=u\\n$(id)\`x\npassword=it's "$HOME" \\c %s\n`)
    expect(answer('store')).toBe('')
    expect(answer('erase')).toBe('')
  })
})

describe('readDeploySettings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-repo-url-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')])
  const key = readFileSync(join(dir, 'id'), 'utf8')
  const pub = readFileSync(join(dir, 'id.pub'), 'utf8').split(' ').slice(0, 2).join(' ')
  rmSync(dir, { recursive: true, force: true })
  const read = (repository: string) =>
    readDeploySettings(
      mapInputs({
        host: 'deploy@web1',
        key,
        'known-hosts': `web1 ${pub}`,
        'app-dir': '/srv/app',
        repository
      }),
      runContext({ GITHUB_SHA: 'f'.repeat(40) })
    )

  it('masks the token before anything else is printed', async () => {
    const { output, value } = await captureOutput(async () =>
      read(`https://x-access-token:${TOKEN}@github.com/acme/app.git`)
    )
    expect(output.split('\n')[0]).toBe(`::add-mask::${TOKEN}`)
    expect(output).not.toContain('::add-mask::x-access-token')
    expect(value?.repository).toMatchObject({ url: 'https://github.com/acme/app.git' })
  })

  it('masks the password of a URL it refuses too', async () => {
    const { output, error } = await captureOutput(async () =>
      read(`http://me:${TOKEN}@example.com/app.git`)
    )
    expect(output).toContain(`::add-mask::${TOKEN}`)
    expect((error as Error).message).toContain("Input 'repository'")
  })

  it('has no repository when none is given', () => {
    expect(read('').repository).toBeUndefined()
  })
})
