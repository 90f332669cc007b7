// Helpers for the seed flows: an app directory turned into a git repository
// with a bare remote, and the caller's `uses: …/deploy.yml@v1` run through
// the reusable workflow's own steps.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { parse } from 'yaml'
import { ActionRun } from './action-runner.js'
import { ensureDocker, stopDocker } from './docker.js'
import { FakeGithubApi, startFakeGithubApi } from './fake-github-api.js'
import { ensureBaseImages } from './images.js'
import { ensurePrerequisites } from './prerequisites.js'
import { Registry, startRegistry } from './registry.js'
import { run, runChecked } from './run.js'
import { SshHosts, startSshHosts } from './ssh-hosts.js'
import { readmeCaller, WorkflowDoc } from './workflow-files.js'
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
  /** The deploy action's run (`$/deploy`) in the deploy job, its log masked as the runner shows it. */
  run: ActionRun
}

/** What a caller's run adds to the inputs: its secrets, environment and repository. */
export interface FlowRunOptions {
  secrets?: Record<string, string>
  /** More environment for every action step (GITHUB_REF, GITHUB_ACTOR, DOCKER_CONFIG, …). */
  env?: NodeJS.ProcessEnv
  /** Bare repository the `actions/checkout` steps clone from; without it, no step may need one. */
  checkoutFrom?: string
  /**
   * The caller job's `permissions:`; by default what the README's caller (for
   * deploy.yml) or the examples' rollback callers grant.
   */
  callerPermissions?: unknown
  /** What is left of a job's runner when the job ends; see WorkflowRunOptions. */
  afterJob?: (name: string, job: JobRun) => Promise<void>
}

/** What every seed flow stands on: a server (sshd), the Docker engine, the GitHub API stand-in and a work dir. */
export interface FlowTestbed {
  hosts: SshHosts
  /** The private registry, when asked for; the server's Docker is logged in to it. */
  registry?: Registry
  api: FakeGithubApi
  root: string
  /** The runner's workspace, where the checkout stand-in puts the commit. */
  workspace: string
  /** The caller's `uses: …/deploy.yml@v1` with these inputs, run through the workflow's own steps. */
  workflow(
    inputs: Record<string, unknown>,
    sha: string,
    options?: FlowRunOptions
  ): Promise<Record<string, JobRun>>
  /** A `workflow_dispatch` caller's `uses: …/rollback.yml@v1`, run through its own steps. */
  rollback(
    inputs: Record<string, unknown>,
    sha: string,
    options?: FlowRunOptions
  ): Promise<Record<string, JobRun>>
  /** The same, for a run whose deploy job must reach the root action. */
  deploy(inputs: Record<string, unknown>, sha: string, options?: FlowRunOptions): Promise<FlowRun>
  stop(): Promise<void>
}

/**
 * Stand-ins for the actions outside deploy-kit that the workflows use: actions/checkout
 * (GitHub's own action, which cannot run here) does what it does by default, a fresh
 * clone of the repository at the run's commit in the workspace; docker/setup-buildx-action
 * is below. Any other action outside deploy-kit fails the test.
 */
function externalStandIns(workspace: string, bare: string | undefined, sha: string) {
  return async (uses: string, withs: Record<string, string>): Promise<void> => {
    if (uses.startsWith('docker/setup-buildx-action@')) return setupBuildxStandIn(withs)
    if (!uses.startsWith('actions/checkout@'))
      throw new Error(`the workflow uses ${uses}, which the testbed cannot run`)
    if (!bare) throw new Error('a job checks out the repository, but the flow gave no checkoutFrom')
    rmSync(workspace, { recursive: true, force: true })
    execFileSync('git', ['clone', '-q', bare, workspace])
    execFileSync('git', ['-C', workspace, 'checkout', '-q', '--detach', sha])
  }
}

/**
 * Stand-in for docker/setup-buildx-action, which on GitHub's runner creates a
 * docker-container builder from the moby/buildkit image: this machine cannot
 * fetch that image, so the stand-in proves buildx answers and keeps the
 * engine's own builder in use. It refuses any setting it would not honour.
 */
function setupBuildxStandIn(withs: Record<string, string>): void {
  const given = Object.entries(withs).filter(([, v]) => v !== '')
  if (given.length > 0)
    throw new Error(
      `the testbed's docker/setup-buildx-action stand-in cannot honour ${given.map(([k]) => k).join(', ')}`
    )
  execFileSync('docker', ['buildx', 'version'], { stdio: 'ignore' })
  execFileSync('docker', ['buildx', 'inspect'], { stdio: 'ignore' })
}

/** What the callers users copy grant: the README's for deploy.yml, the examples' for rollback.yml. */
function defaultCallerPermissions(file: string): unknown {
  const caller =
    file === '.github/workflows/deploy.yml'
      ? readmeCaller()
      : readFileSync('examples/001-thinkring/rollback.yml', 'utf8')
  const doc = parse(caller) as WorkflowDoc
  const job = Object.values(doc.jobs).find(j => j.uses?.includes(basename(file)))
  return job?.permissions ?? doc.permissions
}

/**
 * Starts the testbed of one seed's flow. With `registry`, also a private
 * registry that the server (this machine's Docker) is logged in to, once, as
 * the examples' READMEs ask of a real server. Actions that log in themselves
 * get a DOCKER_CONFIG of their own from the flow, as a separate runner would.
 */
export async function startFlowTestbed(
  app: string,
  options: { registry?: boolean } = {}
): Promise<FlowTestbed> {
  ensurePrerequisites()
  const docker = await ensureDocker()
  await ensureBaseImages()
  const registry = options.registry ? await startRegistry() : undefined
  if (registry) {
    await runChecked(
      'docker',
      ['login', registry.address, '-u', registry.username, '--password-stdin'],
      { input: registry.password }
    ).catch(async (err: unknown) => {
      await registry.stop()
      throw err
    })
  }
  const hosts = await startSshHosts(1)
  const api = await startFakeGithubApi()
  const root = mkdtempSync(join(tmpdir(), `deploykit-${app}-`))
  const workspace = join(root, 'workspace')
  mkdirSync(workspace)
  const callWorkflow = async (
    file: string,
    inputs: Record<string, unknown>,
    sha: string,
    options: FlowRunOptions
  ): Promise<Record<string, JobRun>> => {
    const jobs = await runWorkflow(file, {
      inputs: { host: hosts.hostInput(1), ...inputs },
      secrets: {
        'ssh-key': hosts.key.privateKey,
        'known-hosts': hosts.knownHosts(),
        ...options.secrets
      },
      // The deploy job sends the workflow token to GitHub: here, only to the local stand-in.
      env: {
        GITHUB_SHA: sha,
        GITHUB_REPOSITORY: `acme/${app}`,
        GITHUB_API_URL: api.url,
        GITHUB_WORKSPACE: workspace,
        ...options.env
      },
      workspace,
      callerPermissions: options.callerPermissions ?? defaultCallerPermissions(file),
      external: externalStandIns(workspace, options.checkoutFrom, sha),
      afterJob: options.afterJob
    })
    // Every flow holds the actions to GitHub's published API description.
    if (api.violations.length > 0)
      throw new Error(`requests GitHub's API would refuse:\n${api.violations.join('\n')}`)
    return jobs
  }
  const workflow: FlowTestbed['workflow'] = (inputs, sha, options = {}) =>
    callWorkflow('.github/workflows/deploy.yml', inputs, sha, options)
  return {
    hosts,
    registry,
    api,
    root,
    workspace,
    workflow,
    rollback: (inputs, sha, options = {}) =>
      callWorkflow('.github/workflows/rollback.yml', inputs, sha, options),
    async deploy(inputs, sha, options = {}) {
      const jobs = await workflow(inputs, sha, options)
      const run = jobs.deploy.steps.find(s => s.uses === '$/deploy')?.run
      if (!run)
        throw new Error(`the deploy job did not run the deploy action: ${JSON.stringify(jobs)}`)
      return { jobs, run }
    },
    /** Remove the compose project first: the registry's images go with it. */
    async stop() {
      if (registry) {
        await run('docker', ['logout', registry.address])
        await registry.stop()
      }
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
