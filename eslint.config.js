import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const LOG_TEXT =
  'Log text through logRemote or remoteLineLog (src/core/log.ts): it keeps server output from acting as workflow commands'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    // Plain log text may hold a server's words; src/core/log.ts writes it so the
    // runner never reads it as a workflow command. The test action's output is
    // the repository's own suite on the runner, whose commands are meant.
    files: ['src/**/*.ts'],
    ignores: ['src/core/log.ts', 'src/run-tests/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'core', property: 'info', message: LOG_TEXT },
        { object: 'process', property: 'stdout', message: LOG_TEXT }
      ]
    }
  }
)
