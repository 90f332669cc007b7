import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  describe as describeCommand,
  shellLaunch,
  toShell
} from '../../../src/core/remote-command.js'
import { STDIN_ENV_READER, stdinExportLine } from '../../../src/core/shell.js'

describe('toShell', () => {
  it('runs nothing elsewhere when the directory is missing, environment or not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploykit-cwd-'))
    try {
      for (const env of [{}, { MODE: 'prod' }] as Array<Record<string, string>>) {
        const marker = join(dir, `ran-${Object.keys(env).length}`)
        const script = toShell({ argv: ['touch', marker], cwd: join(dir, 'missing'), env })
        expect(() => execFileSync('sh', ['-c', script], { stdio: 'ignore' })).toThrow()
        expect(existsSync(marker)).toBe(false)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('shows secret values as *** in the log form only', () => {
    const cmd = {
      argv: ['deploy'],
      cwd: '/srv/app',
      env: { TOKEN: 'abc123', MODE: 'prod' },
      secretEnv: ['TOKEN']
    }
    expect(describeCommand(cmd)).toBe("cd /srv/app && export TOKEN='***' MODE=prod && deploy")
    expect(shellLaunch(cmd).script).toContain('cd /srv/app && export MODE=prod && deploy')
  })
})

describe('environment on standard input', () => {
  it('keeps secret values out of the shell text and sends them before the command’s stdin', () => {
    const secret = "s3cr'et\nvalue"
    const cmd = {
      argv: ['psql'],
      cwd: '/srv/app',
      env: { PGPASSWORD: secret, MODE: 'prod' },
      secretEnv: ['PGPASSWORD'],
      stdin: 'select 1;\n'
    }
    const launch = shellLaunch(cmd, { exec: true })
    expect(launch.script).toBe(`${STDIN_ENV_READER}cd /srv/app && export MODE=prod && exec psql`)
    expect(launch.script).not.toContain('s3cr')
    expect(launch.stdin).toBe(stdinExportLine({ PGPASSWORD: secret }) + 'select 1;\n')
    const bytes = Buffer.from([0, 255, 10])
    const binary = shellLaunch({ ...cmd, stdin: bytes }).stdin as Buffer
    expect(binary.subarray(-3)).toEqual(bytes)
    expect(binary.subarray(0, -3).toString()).toBe(stdinExportLine({ PGPASSWORD: secret }))
    expect(shellLaunch({ ...cmd, stdin: undefined }).stdin).toBe(
      stdinExportLine({ PGPASSWORD: secret })
    )
    expect(describeCommand(cmd)).toBe("cd /srv/app && export PGPASSWORD='***' MODE=prod && psql")
    expect(() => toShell(cmd)).toThrow(/secret env values/)
  })

  it('leaves a command without secrets as it was', () => {
    const cmd = { argv: ['cat'], env: { MODE: 'prod' }, stdin: 'x' }
    expect(shellLaunch(cmd)).toEqual({ script: 'export MODE=prod && cat', stdin: 'x' })
  })
})
