// The ssh action through its entry, against real OpenSSH servers on loopback:
// what a step that runs a script relies on (its exit code per host, the
// first failing command ending it, forwarded variables arriving as they are
// and out of the process list, output kept when it fails, a host that is down).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run, setOutputs } from '../../../src/ssh/main.js'
import { readSshSettings } from '../../../src/ssh/settings.js'
import { HOSTILE_VALUES } from '../../helpers/hostile-env-values.js'
import { hostileScript, serverCommandsActedOn } from '../../helpers/hostile-output.js'
import { InProcessAction, throughEntry } from '../../helpers/in-process-action.js'
import { sampleArgv } from '../../../testbed/argv-sampler.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { readStepOutput, SecretMasker } from '../../../testbed/secret-masker.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'

let hosts: SshHosts
let work: string
let action: InProcessAction

beforeAll(async () => {
  ensurePrerequisites()
  hosts = await startSshHosts(3)
  work = mkdtempSync(join(tmpdir(), 'ssh-action-work-'))
  chmodSync(work, 0o755)
  action = new InProcessAction(
    throughEntry(read => ({
      readSettings: () => readSshSettings(read),
      run,
      setOutputs
    }))
  )
})

afterAll(async () => {
  action?.remove()
  await hosts?.stop()
  rmSync(work, { recursive: true, force: true })
})

const label = (i: number) => `root@${hosts.servers[i].address}:${hosts.servers[i].port}`

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0',
    ...extra
  }
}

const token = () => randomBytes(8).toString('hex')

describe('ssh action', () => {
  it('stops at a failing middle command and fails the step with its exit code', async () => {
    const after = join(work, `after-${token()}`)
    const r = await action.runAction(
      inputs({ script: `echo first\nsh -c 'exit 7'\necho never\ntouch ${after}` })
    )
    expect(r.failed).toBe(true)
    expect(r.output).toContain('first')
    expect(r.output).not.toContain('never')
    expect(() => readFileSync(after)).toThrow()
    expect(r.output).toMatch(
      new RegExp(
        `::error::the script failed on 1 of 1 host\\(s\\):%0A${label(0).replace(/\./g, '\\.')}: exit code 7 \\(set -eu: the first failing command ends the script; none after it ran\\)`
      )
    )
    expect(r.summary).toContain('<td>7</td>')
  })

  it('with script-stop: false runs on to the end as a plain ssh session does', async () => {
    const r = await action.runAction(
      inputs({ script: "sh -c 'exit 7'\necho went-on", 'script-stop': 'false' })
    )
    expect(r.failed).toBe(false)
    expect(r.output).toContain('went-on')
    expect(r.output).toContain(`the script exited 0 on ${label(0)}`)
  })

  it('forwards envs byte for byte on standard input: no value and no script in any argv', async () => {
    const tag = token()
    const values = Object.fromEntries(HOSTILE_VALUES.map(([name, v]) => [name, `${tag}${v}`]))
    const names = Object.keys(values)
    const out = mkdtempSync(join(work, 'envs-'))
    chmodSync(out, 0o777)
    const flag = join(out, `go-${token()}`)
    const scriptMark = `script-mark-${token()}`
    // Waits in a process whose argv holds the flag, until the sampler has seen it: every process of the start ran meanwhile.
    const script = [
      `# ${scriptMark}`,
      `sh -c 'while [ ! -e "$0" ]; do sleep 0.01; done' ${flag}`,
      ...names.map(n => `printf '%s' "$${n}" > ${out}/${n}`),
      `env > ${out}/env`
    ].join('\n')
    action.setEnv({ ...values, FLAG: flag })
    const sampler = sampleArgv([tag, scriptMark, flag])
    let report
    try {
      const running = action.runAction(inputs({ script, envs: names.join(',') }))
      await sampler.seen(flag, undefined, 20_000)
      writeFileSync(flag, '')
      const r = await running
      expect(r.failed).toBe(false)
    } finally {
      writeFileSync(flag, '')
      report = await sampler.stop()
      action.setEnv(Object.fromEntries(names.map(n => [n, undefined])))
    }
    for (const n of names) expect([n, readFileSync(join(out, n), 'utf8')]).toEqual([n, values[n]])
    // The script itself is not left in the environment of what it starts.
    expect(readFileSync(join(out, 'env'), 'utf8')).not.toContain(scriptMark)
    expect(report.hits[tag]).toEqual([])
    expect(report.hits[scriptMark]).toEqual([])
    expect(report.sweeps).toBeGreaterThan(0)
  })

  it('refuses a forwarded variable the step does not set, before connecting', async () => {
    const r = await action.runAction(
      inputs({ host: 'root@127.0.0.1:1', script: 'true', envs: 'DEPLOYKIT_NOT_SET_ANYWHERE' })
    )
    expect(r.failed).toBe(true)
    expect(r.output).toContain(
      "::error::Input 'envs': DEPLOYKIT_NOT_SET_ANYWHERE is not set in the step's environment"
    )
    expect(r.output).not.toMatch(/cannot connect/)
  })

  it('sets stdout when the script fails, masked as the log is', async () => {
    const r = await action.runAction(
      inputs({
        key: hosts.lockedKey.privateKey,
        passphrase: hosts.passphrase,
        capture: 'true',
        script: `echo release v1.2.3\necho "passphrase ${hosts.passphrase}"\nfalse\necho never`
      })
    )
    expect(r.failed).toBe(true)
    expect(r.outputs.stdout).toBe('release v1.2.3\npassphrase ***')
  })

  it('three hosts, one down: two report their exit codes, the down one its error, the step fails', async () => {
    const down = hosts.servers[2]
    await down.stop()
    const r = await action.runAction(
      inputs({
        host: hosts.hostInput(3),
        capture: 'true',
        script: `echo "on $SSH_CONNECTION"\ncase "$SSH_CONNECTION" in *" ${hosts.servers[0].address} "*) exit 0;; *) exit 4;; esac`
      })
    )
    expect(r.failed).toBe(true)
    const error = r.output.split('\n').find(l => l.startsWith('::error::the script failed'))
    expect(error?.split('%0A')).toEqual([
      '::error::the script failed on 2 of 3 host(s):',
      `${label(0)}: exit code 0`,
      `${label(1)}: exit code 4 (set -eu: the first failing command ends the script; none after it ran)`,
      expect.stringMatching(
        new RegExp(`^${label(2).replace(/\./g, '\\.')}: cannot connect: .*ECONNREFUSED`)
      )
    ])
    const stdout = JSON.parse(r.outputs.stdout) as Record<string, string>
    expect(Object.keys(stdout)).toEqual([label(0), label(1)])
    expect(stdout[label(1)]).toMatch(
      new RegExp(` ${hosts.servers[1].address.replace(/\./g, '\\.')} `)
    )
    expect(r.summary).toContain('<td>0</td>')
    expect(r.summary).toContain('<td>4</td>')
    expect(r.summary).toMatch(/cannot connect/)
  })

  it("shows the server's output as data: no workflow command of it is acted on", async () => {
    const r = await action.runAction(inputs({ script: hostileScript() }))
    expect(r.failed).toBe(false)
    const reading = readStepOutput(r.output, new SecretMasker())
    expect(serverCommandsActedOn(reading)).toEqual([])
    expect(reading.openFence).toBeUndefined()
  })

  it('stops a script that outlives timeout, Go-style, and says so', async () => {
    const r = await action.runAction(
      inputs({ script: 'echo started\nsleep 30', timeout: '1s500ms' })
    )
    expect(r.failed).toBe(true)

    expect(r.output).toContain('timed out after 1500ms')
  })
})
