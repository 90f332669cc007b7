// Helpers for the seed flows: an app directory turned into a git repository
// with a bare remote, and the caller's `uses: …/deploy.yml@v1` run through
// the reusable workflow's own steps.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { ActionRun } from './action-runner.js'
import { SshHosts } from './ssh-hosts.js'
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

/** Runs .github/workflows/deploy.yml for a caller passing these inputs and the testbed's key. */
export async function deployThroughWorkflow(
  hosts: SshHosts,
  inputs: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  workspace: string,
  secrets: Record<string, string> = {}
): Promise<FlowRun> {
  if (!env.GITHUB_API_URL?.startsWith('http://127.0.0.1:')) {
    throw new Error(
      'set GITHUB_API_URL to a local stand-in (fake-github-api.ts): the deploy job sends the workflow token to it'
    )
  }
  const jobs = await runWorkflow('.github/workflows/deploy.yml', {
    inputs: { host: hosts.hostInput(1), ...inputs },
    secrets: { 'ssh-key': hosts.key.privateKey, 'known-hosts': hosts.knownHosts(), ...secrets },
    env,
    workspace
  })
  const run = jobs.deploy.steps.find(s => s.uses === '$/')?.run
  if (!run) throw new Error(`the deploy job did not run the root action: ${JSON.stringify(jobs)}`)
  return { jobs, run }
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
