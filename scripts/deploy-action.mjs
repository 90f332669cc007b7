// deploy/action.yml is the root action.yml with its bundle paths one folder
// up. Reusable workflows reach the whole-deploy action as `$/deploy` (GitHub's
// self-repository syntax must name a path, so `$/` cannot mean the root),
// while callers keep `uses: org/deploy-kit@v1`. `npm run docs` writes it; a
// unit test fails when the two differ.
import { readFileSync } from 'node:fs'
import { writeIfChanged } from './connection-inputs.mjs'

export const DEPLOY_FOLDER_ACTION = 'deploy/action.yml'

const HEADER =
  '# Made from ../action.yml by `npm run docs` (scripts/deploy-action.mjs): edit that file, not this one.\n' +
  '# The same action as `uses: org/deploy-kit@v1`, in a folder, so workflows here reach it as `$/deploy`.\n'

export function deployFolderAction(rootActionText) {
  const moved = rootActionText.replace(/^(\s+(?:main|post): )dist\//gm, '$1../dist/')
  if (moved === rootActionText) throw new Error('action.yml: no runs.main under dist/ to point at')
  return HEADER + moved
}

export function writeDeployFolderAction() {
  return writeIfChanged(
    DEPLOY_FOLDER_ACTION,
    deployFolderAction(readFileSync('action.yml', 'utf8'))
  )
}
