// The workflows the repo's tests hold to GitHub's rules: every workflow file
// under .github/workflows/ and examples/, and the caller workflow the README
// tells users to paste.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

export function workflowFiles(): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    if (!existsSync(dir)) return
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name)
      if (e.isDirectory()) walk(path)
      else if (
        /\.ya?ml$/.test(e.name) &&
        (path.includes('.github/workflows') || path.startsWith('examples/'))
      ) {
        const doc = parse(readFileSync(path, 'utf8')) as { on?: unknown; jobs?: unknown } | null
        if (doc && doc.jobs && doc.on !== undefined) found.push(path)
      }
    }
  }
  walk('.github/workflows')
  walk('examples')
  return found.sort()
}

/** The first YAML block of the README: the caller workflow users start from. */
export function readmeCaller(): string {
  const m = /```yaml\n([\s\S]*?)```/.exec(readFileSync('README.md', 'utf8'))
  if (!m) throw new Error('README.md has no yaml block')
  return m[1]
}

export interface CallerJob {
  uses?: string
  permissions?: unknown
  steps?: Array<{ uses?: string }>
}

export interface WorkflowDoc {
  permissions?: unknown
  jobs: Record<string, CallerJob>
}

/** The deploy-kit reusable workflow a job's `uses:` calls, as a path in this repo. */
export function calledDeployKitWorkflow(uses: string): string | undefined {
  const m = /^(?:[^/]+\/deploy-kit\/|\.\/)\.github\/workflows\/([\w-]+\.ya?ml)(@.*)?$/.exec(uses)
  return m ? join('.github/workflows', m[1]) : undefined
}
