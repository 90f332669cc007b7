import { existsSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Location {
  /** Relative to the workspace, as annotations want it. */
  file: string
  line?: number
}

/** Frames in installed packages or the runtime point at code the user cannot fix. */
const FOREIGN = /(^|[/\\])(node_modules|site-packages|dist-packages|vendor|\.venv|venv)[/\\]|^node:/

/** `File "/src/app/tests.py", line 12` in a Python traceback. */
const PYTHON_FRAME = /File "([^"]+)", line (\d+)/g
/** `file:///src/app/a.test.js:12:5`, `/src/a.test.js:12:5`, `tests/test_x.py:12: AssertionError`, `calc_test.go:8:`. */
const PATH_LINE = /(file:\/\/\/[^\s:()]+|[\w@.~/\\-]*[\w-]\.[A-Za-z0-9]{1,5}):(\d+)\b/g

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

function candidate(raw: string, workDir: string, workspace: string): string | undefined {
  let path = raw
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path)
    } catch {
      return undefined
    }
  }
  if (FOREIGN.test(path)) return undefined
  const absolute = isAbsolute(path) ? path : resolve(workDir, path)
  if (!inside(workspace, absolute) || !isFile(absolute)) return undefined
  return absolute
}

/**
 * Where a failure happened, from its text: the deepest project frame of a
 * Python traceback (they read innermost last), otherwise the first
 * `path:line` that names a file of the project (stacks read innermost first).
 */
export function locateInText(
  text: string,
  workDir: string,
  workspace: string
): { path: string; line: number } | undefined {
  const python = [...text.matchAll(PYTHON_FRAME)]
    .map(m => ({ path: candidate(m[1], workDir, workspace), line: Number(m[2]) }))
    .filter((f): f is { path: string; line: number } => f.path !== undefined)
  if (python.length > 0) return python[python.length - 1]
  for (const m of text.matchAll(PATH_LINE)) {
    const path = candidate(m[1], workDir, workspace)
    if (path) return { path, line: Number(m[2]) }
  }
  return undefined
}

/** A report's file (relative to the working directory) made relative to the workspace. */
export function toWorkspacePath(
  file: string,
  workDir: string,
  workspace: string
): string | undefined {
  const absolute = isAbsolute(file) ? file : resolve(workDir, file)
  if (!existsSync(absolute)) return undefined
  if (!inside(workspace, absolute)) return undefined
  return relative(workspace, absolute).split(sep).join('/')
}

/** The location an annotation gets: from the failure text when it has one, else the report's. */
export function locate(
  failure: { file?: string; line?: number; details?: string; message?: string },
  workDir: string,
  workspace: string
): Location | undefined {
  const found = locateInText(
    `${failure.details ?? ''}\n${failure.message ?? ''}`,
    workDir,
    workspace
  )
  if (found) {
    return { file: relative(workspace, found.path).split(sep).join('/'), line: found.line }
  }
  if (!failure.file) return undefined
  const file = toWorkspacePath(failure.file, workDir, workspace)
  return file ? { file, line: failure.line } : undefined
}
