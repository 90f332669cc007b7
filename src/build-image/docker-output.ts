/** Reading what the docker CLI prints and writes, as pure functions of its text. */

/** `repo@sha256:…` for this repository among an image's RepoDigests, or ''. */
export function repoDigestFor(inspectOutput: string, repository: string): string {
  let digests: unknown
  try {
    digests = JSON.parse(inspectOutput.trim() || 'null')
  } catch {
    return ''
  }
  if (!Array.isArray(digests)) return ''
  const match = digests.find(
    (d): d is string => typeof d === 'string' && d.startsWith(`${repository}@sha256:`)
  )
  return match ?? ''
}

/** The manifest digest `docker push` reports: `<tag>: digest: sha256:… size: N`. */
export function pushedDigest(pushOutput: string): string {
  const m = /digest: (sha256:[0-9a-f]{64})/.exec(pushOutput)
  return m ? m[1] : ''
}

/** The digest buildx wrote to its metadata file, or '' (nothing pushed). */
export function buildxDigest(metadataJson: string): string {
  try {
    const meta = JSON.parse(metadataJson) as Record<string, unknown>
    const digest = meta['containerimage.digest']
    return typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : ''
  } catch {
    return ''
  }
}

export interface CacheStats {
  /** Build steps the log shows. */
  steps: number
  /** Of those, how many were served from the layer cache. */
  cached: number
}

/**
 * Counts cached steps in a build log: the classic builder prints
 * `Step N/M : …` then ` ---> Using cache`; BuildKit's plain progress prints
 * `#N [stage i/n] …` then `#N CACHED`. FROM steps are never cached, and the
 * classic builder turns each `--label` into a LABEL step of its own, which
 * the `created` label makes new on every build, so neither is counted.
 */
export function cacheStats(log: string): CacheStats {
  const classicSteps = log.match(/^Step \d+\/\d+ : (?!FROM |LABEL )/gim)?.length ?? 0
  if (classicSteps > 0) {
    const cachedSteps = log.match(/^Step \d+\/\d+ : (?!FROM |LABEL ).*\n ---> Using cache$/gim)
    return { steps: classicSteps, cached: cachedSteps?.length ?? 0 }
  }
  const steps = new Set(
    [...log.matchAll(/^#(\d+) \[(?:[^\]]*\s)?\d+\/\d+\] (?!FROM )/gim)].map(m => m[1])
  )
  const cached = new Set([...log.matchAll(/^#(\d+) CACHED$/gm)].map(m => m[1]))
  return { steps: steps.size, cached: [...cached].filter(id => steps.has(id)).length }
}
