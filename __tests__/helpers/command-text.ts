/**
 * The table tests of src/commands: each row is a command built from the
 * values below and the exact shell text it becomes.
 */
import { describe, expect, it } from '@jest/globals'
import { describe as logLine, RemoteCommand, toShell } from '../../src/core/remote-command.js'

/** Values a shell would take for something else than data. */
export const Q = "it's"
export const SUB = '$(touch /tmp/pwned)'
export const NL = 'a\nb'
export const DASH = '-rf'
export const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'

/** What the server's shell is given; with secret env, what the log shows instead. */
export function shown(cmd: RemoteCommand): string {
  return cmd.secretEnv?.length ? logLine(cmd) : toShell(cmd)
}

export type CommandRow = [label: string, cmd: RemoteCommand, text: string]

export function commandTable(subject: string, rows: CommandRow[]): void {
  describe(`${subject} commands`, () => {
    it.each(rows)('%s', (_label, cmd, text) => {
      expect(shown(cmd)).toBe(text)
    })
  })
}
