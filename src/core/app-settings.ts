import { posix } from 'node:path'
import { InputError } from './errors.js'
import { InputReader, readChoice, readLines } from './inputs.js'

export const COMPOSE_CHOICES = ['auto', 'docker compose', 'docker-compose'] as const
export type ComposeChoice = (typeof COMPOSE_CHOICES)[number]

/** The server-side app: where it lives and how Compose is called for it. */
export interface AppSettings {
  /** Absolute directory of the app on the server. */
  appDir: string
  /** Compose files relative to the release directory; empty = Compose's default file. */
  composeFiles: string[]
  /** Env file relative to appDir, or undefined. */
  envFile?: string
  projectName: string
  composeChoice: ComposeChoice
}

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/

function relativePath(value: string, input: string): string {
  if (value.startsWith('/') || value.split('/').includes('..')) {
    throw new InputError(
      input,
      `${JSON.stringify(value)} must be a path inside the app directory`,
      'Give it relative to app-dir, without ..'
    )
  }
  return value
}

export function readAppSettings(read: InputReader): AppSettings {
  const appDir = read('app-dir').trim().replace(/\/+$/, '')
  if (!appDir)
    throw new InputError(
      'app-dir',
      'is empty',
      'Set it to the app directory on the server, e.g. /srv/app'
    )
  if (!appDir.startsWith('/') || appDir.split('/').includes('..')) {
    throw new InputError(
      'app-dir',
      `${JSON.stringify(appDir)} is not an absolute path`,
      'Use a full path such as /srv/app'
    )
  }
  const composeFiles = readLines(read, 'compose-files').map(f => relativePath(f, 'compose-files'))
  const envFile = read('env-file').trim()
    ? relativePath(read('env-file').trim(), 'env-file')
    : undefined
  const projectName = (read('project-name').trim() || posix.basename(appDir))
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
  if (!PROJECT_NAME.test(projectName)) {
    throw new InputError(
      'project-name',
      read('project-name').trim()
        ? `${JSON.stringify(read('project-name'))} is not a valid Compose project name`
        : `is unset, and the name made from app-dir, ${JSON.stringify(projectName)}, is not a valid Compose project name`,
      'Use lower-case letters, digits, - and _, starting with a letter or digit; set project-name when the app-dir name does not fit'
    )
  }
  return {
    appDir,
    composeFiles,
    envFile,
    projectName,
    composeChoice: readChoice(read, 'compose-command', COMPOSE_CHOICES, 'auto')
  }
}
