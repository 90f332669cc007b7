// ssh2 reads __dirname at load time; an ES module bundle has none, so it is
// defined from this module's URL before anything imports ssh2.
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const scope = globalThis as { __filename?: string; __dirname?: string }
scope.__filename ??= fileURLToPath(import.meta.url)
scope.__dirname ??= dirname(scope.__filename)
