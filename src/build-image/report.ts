import * as core from '@actions/core'
import { escapeHtml } from '../core/html.js'
import { ImageReport, toResult } from './build.js'

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`
}

/** `images`: an object keyed by image name, so a workflow can write `fromJSON(…).backend.digest`. */
export function setImagesOutput(reports: readonly ImageReport[]): void {
  core.setOutput(
    'images',
    JSON.stringify(Object.fromEntries(reports.map(r => [r.name, toResult(r)])))
  )
}

/**
 * build-push-action's `digest`, `imageid` and `metadata` (of the first
 * image) and metadata-action's `tags` (every image's references), `labels`
 * and `version`.
 */
export function setMetadataOutputs(reports: readonly ImageReport[]): void {
  const [first] = reports
  if (!first) return
  core.setOutput('digest', first.digest.split('@')[1] ?? '')
  core.setOutput('imageid', first.imageId)
  core.setOutput('metadata', first.metadata ? JSON.stringify(first.metadata) : '')
  core.setOutput('tags', reports.flatMap(r => r.refs).join('\n'))
  core.setOutput(
    'labels',
    Object.entries(first.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')
  )
  core.setOutput('version', first.version)
}

export function cacheText(r: ImageReport): string {
  return r.cache.steps > 0 ? `${r.cache.cached}/${r.cache.steps} steps cached` : ''
}

/** One row per image: where it went, its digest, and how long building and pushing took. */
export async function writeSummary(
  reports: readonly ImageReport[],
  totalMs: number
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary
    .addHeading('Images', 3)
    .addTable([
      ['image', 'references', 'digest', 'build', 'push'].map(data => ({ data, header: true })),
      ...reports.map(r => [
        code(r.name),
        r.refs.map(code).join('<br>') + (r.pushed ? '' : ' (not pushed)'),
        r.digest ? code(r.digest) : r.imageId ? `local ${code(r.imageId.slice(0, 19))}` : '—',
        `${r.buildSeconds.toFixed(1)}s ${r.builder}${cacheText(r) ? `, ${cacheText(r)}` : ''}`,
        r.pushedByBuild ? 'with build' : r.pushed ? `${r.pushSeconds.toFixed(1)}s` : '—'
      ])
    ])
    .addRaw(`${reports.length} image(s) in ${(totalMs / 1000).toFixed(1)}s`, true)
    .write()
}
