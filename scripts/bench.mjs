// npm run bench: the benchmark suite in scripts/bench/ (see BENCHMARKS.md).
// It shares the TypeScript testbed with the tests, so it runs through tsx.
import { spawnSync } from 'node:child_process'

const result = spawnSync('npx', ['--yes', 'tsx@4', 'scripts/bench/main.ts'], {
  stdio: 'inherit'
})
if (result.error) throw result.error
process.exit(result.status ?? 1)
