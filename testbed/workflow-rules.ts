// Rules GitHub applies to workflows when it loads a run, which
// @actions/workflow-parser does not check. Read from actions/runner
// (src/Sdk/DTPipelines/Pipelines/PipelineConstants.cs,
// src/Sdk/WorkflowParser/Conversion/PermissionsHelper.cs and
// WorkflowTemplateConverter.cs). Used by the testbed's workflow runner and by
// the unit tests that hold every workflow of the repo and of examples/ to them.

const SELF_REPOSITORY_PREFIX = '$/'

/**
 * The path a `uses: $/<path>` names, as `TryParseSelfRepository` reads it,
 * or undefined when the value is no self-repository reference. `$/` alone (or
 * `$//`) names nothing: the runner then reads the value as `owner/repo@ref`
 * and refuses it.
 */
export function selfRepositoryPath(uses: string): string | undefined {
  if (!uses.startsWith(SELF_REPOSITORY_PREFIX)) return undefined
  const path = uses.slice(SELF_REPOSITORY_PREFIX.length).replace(/^\/+/, '')
  return path || undefined
}

/** The runner's error for a step's `uses:` it cannot resolve, or undefined when it can. */
export function usesError(uses: string): string | undefined {
  if (uses.startsWith('docker://') || uses.startsWith('./') || uses.startsWith('.\\')) return
  if (selfRepositoryPath(uses)) return
  const [name, ref, ...rest] = uses.split('@')
  const segments = name.split(/[/\\]/).filter(Boolean)
  if (rest.length === 0 && ref && segments.length >= 2) return
  return `Expected format {org}/{repo}[/path]@ref. Actual '${uses}'`
}

export type PermissionLevel = 'none' | 'read' | 'write'
export type Permissions = Record<string, PermissionLevel>

/** Every scope the runner compares (Permissions.cs `ComparisonKeyMapping`). */
export const PERMISSION_SCOPES = [
  'actions',
  'artifact-metadata',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
  'vulnerability-alerts'
] as const

const RANK: Record<PermissionLevel, number> = { none: 0, read: 1, write: 2 }

/**
 * What a caller's job may hand on when neither it nor its workflow sets
 * `permissions:`: the repository's default policy. We model `LimitedRead`
 * (PermissionsHelper.CreatePermissionsFromPolicy: contents and packages read,
 * every other scope none), the "Read repository contents and packages"
 * setting that new repositories and organizations get by default. A
 * repository set to "Read and write" would allow more; a workflow that relies
 * on that breaks in every repository left at the default.
 */
export const DEFAULT_PERMISSIONS: Permissions = allAt('none', {
  contents: 'read',
  packages: 'read'
})

function allAt(level: PermissionLevel, overrides: Permissions = {}): Permissions {
  return { ...Object.fromEntries(PERMISSION_SCOPES.map(s => [s, level])), ...overrides }
}

/**
 * A `permissions:` value as the runner reads it: `read-all`, `write-all`, or
 * a mapping in which every scope not named is `none` (`{}` is all none).
 */
export function readPermissions(value: unknown): Permissions {
  // ConvertToPermissions: every scope, id-token included; models and vulnerability-alerts never above read.
  if (value === 'read-all') return allAt('read')
  if (value === 'write-all')
    return allAt('write', { models: 'read', 'vulnerability-alerts': 'read' })
  if (value === null || typeof value !== 'object')
    throw new Error(`permissions: expected read-all, write-all or a mapping, got ${String(value)}`)
  const result = allAt('none')
  for (const [scope, level] of Object.entries(value as Record<string, unknown>)) {
    if (!(PERMISSION_SCOPES as readonly string[]).includes(scope))
      throw new Error(`permissions: unknown scope ${scope}`)
    if (level !== 'none' && level !== 'read' && level !== 'write')
      throw new Error(`permissions: ${scope} must be none, read or write, got ${String(level)}`)
    result[scope] = level
  }
  return result
}

/**
 * The most a caller's job may grant a called workflow: its own
 * `permissions:`, else its workflow's, else the repository default
 * (WorkflowTemplateConverter: root permissions propagate to jobs without their
 * own; a null maximum means the policy).
 */
export function callerMaximum(workflowPermissions: unknown, jobPermissions: unknown): Permissions {
  if (jobPermissions !== undefined) return readPermissions(jobPermissions)
  if (workflowPermissions !== undefined) return readPermissions(workflowPermissions)
  return DEFAULT_PERMISSIONS
}

/**
 * What a called workflow's job's token may do: its own `permissions:`, else the
 * called workflow's, else what the caller granted (WorkflowTemplateConverter
 * propagates a workflow's permissions to the jobs without their own).
 */
export function jobTokenPermissions(
  maximum: Permissions,
  called: CalledWorkflow,
  job: string
): Permissions {
  const own = called.jobs[job]?.permissions ?? called.permissions
  return own === undefined ? maximum : readPermissions(own)
}

export interface CalledWorkflow {
  permissions?: unknown
  jobs: Record<string, { permissions?: unknown }>
}

/**
 * The errors GitHub gives when it loads a run whose job `ref` calls
 * `called` with at most `maximum`: one for the called workflow's own
 * `permissions:` and one per job asking for more (skipped jobs included: the
 * check happens before anything runs). Empty when the run may start.
 */
export function permissionErrors(
  ref: string,
  maximum: Permissions,
  called: CalledWorkflow
): string[] {
  const errors: string[] = []
  const check = (requested: unknown, job?: string) => {
    const asked = readPermissions(requested)
    const over = PERMISSION_SCOPES.filter(s => RANK[asked[s]] > RANK[maximum[s]])
    if (over.length === 0) return
    const requestedText = over.map(s => `${s}: ${asked[s]}`).join(', ')
    const allowedText = over.map(s => `${s}: ${maximum[s]}`).join(', ')
    errors.push(
      job
        ? `Error calling workflow '${ref}'. The nested job '${job}' is requesting '${requestedText}', but is only allowed '${allowedText}'.`
        : `Error calling workflow '${ref}'. The workflow is requesting '${requestedText}', but is only allowed '${allowedText}'.`
    )
  }
  if (called.permissions !== undefined) check(called.permissions)
  for (const [name, job] of Object.entries(called.jobs))
    if (job.permissions !== undefined) check(job.permissions, name)
  return errors
}
