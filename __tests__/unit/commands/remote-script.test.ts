import { describe, expect, it } from '@jest/globals'
import { shellLaunch } from '../../../src/core/remote-command.js'
import { scriptCommand } from '../../../src/commands/remote-script.js'
import { commandTable, NL, Q, SUB } from '../../helpers/command-text.js'

const STOPPING = `'__deploykit_script=$DEPLOYKIT_SCRIPT; unset DEPLOYKIT_SCRIPT; set -eu; eval "$__deploykit_script"'`
const CONTINUING = `'__deploykit_script=$DEPLOYKIT_SCRIPT; unset DEPLOYKIT_SCRIPT; eval "$__deploykit_script"'`

commandTable('ssh script', [
  [
    'stops at the first failing command by default',
    scriptCommand({ script: 'false\necho after', stop: true, shell: 'sh', env: {} }),
    `export DEPLOYKIT_SCRIPT='***' && sh -c ${STOPPING} sh`
  ],
  [
    'script-stop: false runs it as a plain ssh session would',
    scriptCommand({ script: 'false', stop: false, shell: 'sh', env: {} }),
    `export DEPLOYKIT_SCRIPT='***' && sh -c ${CONTINUING} sh`
  ],
  [
    'another shell by name runs the same runner',
    scriptCommand({ script: '[[ -n x ]]', stop: true, shell: '/bin/bash', env: {} }),
    `export DEPLOYKIT_SCRIPT='***' && /bin/bash -c ${STOPPING} /bin/bash`
  ],
  [
    'forwarded variables are secret env values: hidden in the log, sent on stdin',
    scriptCommand({
      script: 'echo "$A"',
      stop: true,
      shell: 'sh',
      env: { A: Q, B_2: SUB, C: NL }
    }),
    `export A='***' B_2='***' C='***' DEPLOYKIT_SCRIPT='***' && sh -c ${STOPPING} sh`
  ]
])

describe('scriptCommand', () => {
  it('puts neither the script nor a forwarded value in the exec string', () => {
    const script = `echo '${SUB}'\ndocker compose up -d # token-in-script`
    const launch = shellLaunch(
      scriptCommand({ script, stop: true, shell: 'sh', env: { TOKEN: "x' `id`\n$(id)" } }),
      { exec: true }
    )
    expect(launch.script).not.toMatch(/token-in-script|\$\(id\)|`id`|touch/)
    expect(String(launch.stdin)).toContain('token-in-script')
    expect(String(launch.stdin)).toContain('`id`')
    // One line: the script's own commands find standard input at its end.
    expect(String(launch.stdin).split('\n')).toHaveLength(2)
  })

  it.each(['DEPLOYKIT_SCRIPT', '__deploykit_script', '1A', 'A-B', ''])(
    'refuses to forward %j',
    name => {
      expect(() =>
        scriptCommand({ script: 'true', stop: true, shell: 'sh', env: { [name]: 'x' } })
      ).toThrow(`${JSON.stringify(name)} cannot be forwarded to the script`)
    }
  )
})
