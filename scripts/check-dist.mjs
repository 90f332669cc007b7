// Fails when the committed dist/ is not what the source builds to, or when a
// native addon or Windows helper slipped into a bundle.
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]
  )
}

execFileSync('node', ['scripts/build.mjs'], { stdio: 'inherit' })

const native = filesUnder('dist').filter(f => /\.(node|exe)$/.test(f))
if (native.length > 0) {
  console.error(`dist/ holds native files that only run on one platform:\n${native.join('\n')}`)
  process.exit(1)
}

const status = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { encoding: 'utf8' })
if (status.trim() !== '') {
  console.error(
    `dist/ does not match the source. Run \`npm run build\` and commit dist/:\n${status}`
  )
  console.error(execFileSync('git', ['diff', '--stat', '--', 'dist'], { encoding: 'utf8' }))
  process.exit(1)
}
console.log('dist/ matches the source and is pure JavaScript.')
