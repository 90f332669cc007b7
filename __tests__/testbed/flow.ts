// Helpers for the seed flows: an app directory turned into a git repository
// with a bare remote, and the caller's `uses: …/deploy.yml@v1` run through
// the reusable workflow's own steps.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActionRun } from './action-runner.js'
import { ensureDocker, stopDocker } from './docker.js'
import { FakeGithubApi, startFakeGithubApi } from './fake-github-api.js'
import { ensureBaseImages } from './images.js'
import { ensurePrerequisites } from './prerequisites.js'
import { SshHosts, startSshHosts } from './ssh-hosts.js'
import { JobRun, runWorkflow } from './workflow-runner.js'

export interface GitRemote {
  bare: string
  /** Commits everything in the work tree and pushes it; returns the sha. */
  commit(message: string): Promise<string>
  head(): string
}

export function gitRemote(workTree: string, root: string, branch: string): GitRemote {
  const bare = join(root, 'origin.git')
  execFileSync('git', ['init', '-q', '--bare', '-b', branch, bare])
  execFileSync('git', ['init', '-q', '-b', branch, workTree])
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=Test', '-c', 'user.email=t@example.com', '-C', workTree, ...args],
      {
        encoding: 'utf8'
      }
    ).trim()
  return {
    bare,
    async commit(message) {
      git('add', '-A')
      git('commit', '-q', '-m', message)
      git('push', '-q', bare, `HEAD:refs/heads/${branch}`)
      return git('rev-parse', 'HEAD')
    },
    head: () => git('rev-parse', 'HEAD')
  }
}

export interface FlowRun {
  jobs: Record<string, JobRun>
  /** The root action's run in the deploy job. */
  run: ActionRun
}

/** What every seed flow stands on: a server (sshd), the Docker engine, the GitHub API stand-in and a work dir. */
export interface FlowTestbed {
  hosts: SshHosts
  api: FakeGithubApi
  root: string
  /** The caller's `uses: …/deploy.yml@v1` with these inputs, run through the workflow's own steps. */
  deploy(
    inputs: Record<string, unknown>,
    sha: string,
    secrets?: Record<string, string>
  ): Promise<FlowRun>
  stop(): Promise<void>
}

export async function startFlowTestbed(app: string): Promise<FlowTestbed> {
  ensurePrerequisites()
  const docker = await ensureDocker()
  await ensureBaseImages()
  const hosts = await startSshHosts(1)
  const api = await startFakeGithubApi()
  const root = mkdtempSync(join(tmpdir(), `deploykit-${app}-`))
  return {
    hosts,
    api,
    root,
    async deploy(inputs, sha, secrets = {}) {
      const jobs = await runWorkflow('.github/workflows/deploy.yml', {
        inputs: { host: hosts.hostInput(1), ...inputs },
        secrets: { 'ssh-key': hosts.key.privateKey, 'known-hosts': hosts.knownHosts(), ...secrets },
        // The deploy job sends the workflow token to GitHub: here, only to the local stand-in.
        env: { GITHUB_SHA: sha, GITHUB_REPOSITORY: `acme/${app}`, GITHUB_API_URL: api.url },
        workspace: root
      })
      const run = jobs.deploy.steps.find(s => s.uses === '$/')?.run
      if (!run)
        throw new Error(`the deploy job did not run the root action: ${JSON.stringify(jobs)}`)
      return { jobs, run }
    },
    async stop() {
      await hosts.stop()
      await api.stop()
      rmSync(root, { recursive: true, force: true })
      if (docker.startedPid) await stopDocker(docker.startedPid)
    }
  }
}

/** The release log on the server, one entry per line as written. */
export function releaseLogLines(
  text: string
): Array<{ id: string; ref?: string; status: string; rollbackOf?: string }> {
  return text
    .trim()
    .split('\n')
    .map(l => JSON.parse(l) as { id: string; ref?: string; status: string; rollbackOf?: string })
}
