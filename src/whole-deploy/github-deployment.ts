import * as core from '@actions/core'
import * as github from '@actions/github'
import { errorMessage } from '../core/errors.js'

type Octokit = ReturnType<typeof github.getOctokit>
export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive'

/** What the deployment records; no token means no deployment. */
export interface DeploymentRequest {
  token: string
  ref: string
  environment: string
  url: string
  logUrl: string
  description: string
}

/**
 * A GitHub Deployment for the environment, with its statuses. GitHub being
 * unreachable never fails a deploy: it is reported as a warning.
 */
export class GithubDeployment {
  private constructor(
    private readonly octokit: Octokit,
    private readonly owner: string,
    private readonly repo: string,
    private readonly id: number,
    private readonly environment: string,
    private readonly url: string,
    private readonly logUrl: string
  ) {}

  static async create(opts: DeploymentRequest): Promise<GithubDeployment | undefined> {
    if (!opts.token) return undefined
    const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '/').split('/')
    try {
      const octokit = github.getOctokit(opts.token, {
        baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com'
      })
      const created = await octokit.rest.repos.createDeployment({
        owner,
        repo,
        ref: opts.ref,
        environment: opts.environment,
        description: opts.description,
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
        production_environment: opts.environment === 'production'
      })
      const id = (created.data as { id?: number }).id
      if (!id) throw new Error(`GitHub did not create the deployment (status ${created.status})`)
      const deployment = new GithubDeployment(
        octokit,
        owner,
        repo,
        id,
        opts.environment,
        opts.url,
        opts.logUrl
      )
      await deployment.status('in_progress')
      return deployment
    } catch (err) {
      core.warning(`GitHub deployment not recorded: ${errorMessage(err)}`)
      return undefined
    }
  }

  async status(state: DeploymentState, description = ''): Promise<void> {
    try {
      await this.octokit.rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.repo,
        deployment_id: this.id,
        state,
        description: description.slice(0, 140),
        environment_url: this.url || undefined,
        log_url: this.logUrl || undefined,
        auto_inactive: false
      })
      if (state === 'success') await this.retirePrevious()
    } catch (err) {
      core.warning(`GitHub deployment status ${state} not recorded: ${errorMessage(err)}`)
    }
  }

  /** The deployment this one replaced becomes inactive, so the environment shows one live deployment. */
  private async retirePrevious(): Promise<void> {
    const { data } = await this.octokit.rest.repos.listDeployments({
      owner: this.owner,
      repo: this.repo,
      environment: this.environment,
      per_page: 10
    })
    for (const previous of data.filter(d => d.id !== this.id)) {
      const statuses = await this.octokit.rest.repos.listDeploymentStatuses({
        owner: this.owner,
        repo: this.repo,
        deployment_id: previous.id,
        per_page: 1
      })
      if (statuses.data[0]?.state !== 'success') continue
      await this.octokit.rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.repo,
        deployment_id: previous.id,
        state: 'inactive'
      })
    }
  }
}
