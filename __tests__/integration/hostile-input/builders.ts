/**
 * Every place in src/ where text a user (or a server's release log) controls
 * goes into a command, each fed one hostile value in all its slots at once.
 *
 * Server-side builders return RemoteCommands, run by the SSH transport;
 * runner-side builders return argv, run by @actions/exec without a shell.
 * Orchestrating functions (keepImages, placeProbe, DeployLock, …), some of
 * which still build argv inline, are run against a transport that keeps what
 * they send.
 * Paths start at `at.appDir`, an absolute directory (app-dir must be one)
 * whose last part is the hostile value.
 */
import {
  COMPOSE_V1,
  COMPOSE_V2,
  ComposeProject,
  composeCommand,
  composeCommands,
  inService
} from '../../../src/commands/compose.js'
import { dockerCommands } from '../../../src/commands/docker.js'
import { fileCommands } from '../../../src/commands/files.js'
import { ancestryCommand, gitCommands } from '../../../src/commands/git.js'
import { lockCommands } from '../../../src/commands/lock.js'
import { uploadCommands } from '../../../src/commands/upload.js'
import { preflightCommand } from '../../../src/commands/preflight.js'
import { findPython, liveReleaseDir } from '../../../src/server/compose.js'
import type { RemoteCommand } from '../../../src/core/remote-command.js'
import { collectstaticArgv } from '../../../src/commands/collectstatic.js'
import * as docker from '../../../src/build-image/docker-commands.js'
import type { BuildRequest } from '../../../src/build-image/docker-commands.js'
import {
  dumpCommand,
  restoreCommand,
  restoreFromFileCommand,
  restoreHint,
  verifyCommand,
  writeDumpCommand
} from '../../../src/commands/backup.js'
import { postgresClient } from '../../../src/commands/database.js'
import { dockerLogin, removeDockerConfig } from '../../../src/commands/registry-login.js'
import {
  dumpRecordCommand,
  restoreInOneTransactionCommand,
  restoreServiceCommands,
  singleTransactionPsql,
  tableCountsCommand
} from '../../../src/commands/restore.js'
import { restoreBackup } from '../../../src/migrate/restore.js'
import {
  checksumCommand,
  otherDatabase,
  restoreAndCountCommand,
  scratchDatabaseCommand,
  snapshotDumpCommand
} from '../../../src/commands/restore-proof.js'
import {
  inRunningService,
  onServer,
  ProbeRequest,
  probeCommand
} from '../../../src/commands/http-probe.js'
import { migrationArgv, planArgvs, stateArgv } from '../../../src/commands/migrate-tool.js'
import { pruneBackups, takeBackup } from '../../../src/migrate/backup.js'
import type { BackupSettings, MigrateSettings } from '../../../src/migrate/settings.js'
import { placeProbe, remoteProbe } from '../../../src/smoke-check/remote-probe.js'
import type { UrlCheck } from '../../../src/smoke-check/settings.js'
import {
  keepImages,
  listContainers,
  pruneImages,
  restoreImages,
  waitUntilReady
} from '../../../src/ssh-deploy/containers.js'
import { mergeEnv } from '../../../src/ssh-deploy/env-file.js'
import { checkoutCommit, fetchCommit, prepareClone } from '../../../src/ssh-deploy/git-source.js'
import { DeployLock } from '../../../src/ssh-deploy/lock.js'
import type { RepositoryUrl } from '../../../src/commands/git.js'
import type { DeploySettings } from '../../../src/ssh-deploy/settings.js'
import { statePaths } from '../../../src/commands/state-paths.js'
import { updateServices } from '../../../src/ssh-deploy/update-services.js'
import { swarmCommands } from '../../../src/commands/swarm.js'
import { pruneReleases, uploadRelease } from '../../../src/ssh-deploy/upload-source.js'
import { installCommands, testCommand } from '../../../src/run-tests/commands.js'
import { ClientVariant, forwardingScript } from './expected-calls.js'
import { commandsSentBy } from './transport.js'

export interface Place {
  /** Made for this run: `<sandbox>/<value>`, when the value can name a directory. */
  appDir: string
}

export interface RemoteCase {
  /** `module: export`, as the coverage list below names them. */
  covers: string[]
  /** The HTTP clients the server has (only the smoke-check probe asks). */
  variant?: ClientVariant
  /**
   * Run with the sample of values only (SAMPLE_NAMES): orchestrators whose
   * commands all come from builders that get every value elsewhere here.
   */
  sample?: boolean
  commands(v: string, at: Place): RemoteCommand[] | Promise<RemoteCommand[]>
}

export interface RunnerCase {
  covers: string[]
  /** Which runner-side executor takes the argv: docker() (args after `docker`) or runCommand(). */
  run: 'docker' | 'runCommand'
  /** `python` is an interpreter path that holds the value where it can. */
  invocations(
    v: string,
    at: Place,
    python: string
  ): Array<{ argv: string[]; env?: Record<string, string> }>
}

const SHA = 'a'.repeat(40)

function project(v: string, at: Place, binary: readonly string[] = COMPOSE_V2): ComposeProject {
  return {
    binary,
    dir: at.appDir,
    files: [v, `deploy/${v}.yml`],
    envFile: `${at.appDir}/${v}`,
    projectName: v
  }
}

function backup(v: string, at: Place, service: string): BackupSettings {
  return {
    service,
    database: v,
    user: v,
    databaseUrl: v,
    password: v,
    dir: `${at.appDir}/${v}`,
    keep: 1
  }
}

/** What parseRepository makes of an https URL with a token, each part the hostile value. */
function repository(v: string): RepositoryUrl {
  return { url: v, shown: v, credentials: { origin: v, username: v, password: v } }
}

const owner = (v: string) => ({ token: v, runKey: v, runUrl: v, release: v, since: v })

function migrate(
  v: string,
  at: Place,
  tool: MigrateSettings['tool'],
  direction: 'up' | 'down'
): MigrateSettings {
  return {
    connection: undefined as never,
    app: {
      appDir: at.appDir,
      composeFiles: [v],
      envFile: v,
      projectName: v,
      composeChoice: 'docker compose'
    },
    tool,
    service: v,
    mode: 'exec',
    command: `echo ${v}`,
    downCommand: `echo ${v}`,
    direction,
    target: v,
    python: v,
    planOnly: false,
    restoreOnFailure: true,
    restoreStopServices: [v],
    restoreLockTimeout: 30,
    migrateHost: undefined as never
  }
}

function probeRequest(v: string, method: ProbeRequest['method'], withHeaders = true): ProbeRequest {
  return {
    method,
    url: `http://127.0.0.1:8080/${v}`,
    headers: withHeaders
      ? [
          { name: 'X-Hostile', value: v },
          { name: v, value: 'x' }
        ]
      : [],
    insecureTls: true,
    timeoutSeconds: 5
  }
}

/** The probe as remoteProbe sends it on the server: the URL and headers on stdin. */
function probe(req: ProbeRequest, marker: string): RemoteCommand {
  return probeCommand(req, marker, onServer)
}

const deploySettings = (v: string, strategy: DeploySettings['strategy']) =>
  ({
    services: [v, 'web'],
    pull: true,
    build: true,
    strategy,
    wait: false,
    waitTimeoutMs: 0,
    waitStableMs: 0,
    waitIgnore: []
  }) as unknown as DeploySettings

function inspectJson(v: string): string {
  return JSON.stringify([
    {
      Id: v,
      Name: `/${v}`,
      Image: v,
      Config: { Image: v, Labels: { 'com.docker.compose.service': v } },
      State: { Status: 'exited', ExitCode: 1 }
    }
  ])
}

/** The server-side builders, with one hostile value `v` in every slot that user text reaches. */
export const REMOTE_CASES: RemoteCase[] = [
  {
    covers: ['commands/compose: composeCommand'],
    commands: (v, at) => [
      composeCommand(project(v, at, COMPOSE_V1), ['up', '-d', v]),
      composeCommand(project(v, at), [v]),
      // The DOCKER_CONFIG of a deploy's registry login, in every command of the project.
      composeCommand({ ...project(v, at), env: { DOCKER_CONFIG: `${at.appDir}/${v}` } }, [v])
    ]
  },
  {
    covers: ['commands/registry-login: dockerLogin', 'commands/registry-login: removeDockerConfig'],
    commands: (v, at) => [
      dockerLogin(`${at.appDir}/${v}`, v, v, v),
      removeDockerConfig(`${at.appDir}/${v}`)
    ]
  },
  {
    covers: ['commands/compose: inService'],
    commands: (v, at) => [
      inService(project(v, at), 'run', v, [v, '--', v]),
      inService(project(v, at), 'exec', v, [v], ['NAME'])
    ]
  },
  {
    covers: [
      'commands/compose: composeCommands.version',
      'commands/compose: composeCommands.findPython',
      'commands/compose: composeCommands.containerIds',
      'commands/compose: composeCommands.pull',
      'commands/compose: composeCommands.build',
      'commands/compose: composeCommands.startMissing',
      'commands/compose: composeCommands.up',
      'commands/compose: composeCommands.upAlone',
      'commands/compose: composeCommands.scale',
      'commands/compose: composeCommands.start',
      'commands/compose: composeCommands.reload'
    ],
    commands: (v, at) => [
      composeCommands.version(COMPOSE_V1),
      composeCommands.findPython(project(v, at), 'exec', v),
      composeCommands.containerIds(project(v, at), [v, v]),
      composeCommands.pull(project(v, at), [v]),
      composeCommands.build(project(v, at), [v]),
      composeCommands.startMissing(project(v, at)),
      composeCommands.up(project(v, at), [v]),
      composeCommands.upAlone(project(v, at), v),
      composeCommands.scale(project(v, at), v, 2),
      composeCommands.start(project(v, at), v),
      // The reload script is code by design; the proxy's service name is data.
      composeCommands.reload(project(v, at), v, 'nginx -s reload')
    ]
  },
  {
    covers: [
      'commands/docker: dockerCommands.inspect',
      'commands/docker: dockerCommands.serviceContainers',
      'commands/docker: dockerCommands.projectContainers',
      'commands/docker: dockerCommands.logs',
      'commands/docker: dockerCommands.stop',
      'commands/docker: dockerCommands.remove',
      'commands/docker: dockerCommands.tag',
      'commands/docker: dockerCommands.imageId',
      'commands/docker: dockerCommands.imageTags',
      'commands/docker: dockerCommands.removeImage'
    ],
    commands: v => [
      dockerCommands.inspect([v, v]),
      dockerCommands.serviceContainers(v, v, true),
      dockerCommands.serviceContainers(v, v, false),
      dockerCommands.projectContainers(v),
      dockerCommands.logs(v),
      dockerCommands.logs(v, 5),
      dockerCommands.stop(v, 1500),
      dockerCommands.remove(v),
      dockerCommands.tag(v, v),
      dockerCommands.imageId(v),
      dockerCommands.imageTags(v),
      dockerCommands.removeImage(v)
    ]
  },
  {
    covers: ['server/compose: liveReleaseDir'],
    commands: async (_v, at) => commandsSentBy(host => liveReleaseDir(host, at.appDir))
  },
  {
    covers: ['server/compose: findPython'],
    sample: true,
    commands: async (v, at) =>
      commandsSentBy(
        host => findPython(host, project(v, at), 'run', v),
        () => ({ stdout: '/usr/bin/python3\n' })
      )
  },
  {
    covers: [
      'commands/git: gitCommands.hasClone',
      'commands/git: gitCommands.listEntries',
      'commands/git: gitCommands.init',
      'commands/git: gitCommands.originUrl',
      'commands/git: gitCommands.setOriginUrl',
      'commands/git: gitCommands.excludeState',
      'commands/git: gitCommands.head',
      'commands/git: gitCommands.changedTracked',
      'commands/git: gitCommands.stash',
      'commands/git: gitCommands.fetchAll',
      'commands/git: gitCommands.fetchRef',
      'commands/git: gitCommands.resolve',
      'commands/git: gitCommands.checkout'
    ],
    commands: (v, at) => [
      gitCommands.hasClone(at.appDir),
      gitCommands.listEntries(at.appDir),
      gitCommands.init(repository(v), at.appDir),
      gitCommands.originUrl(at.appDir),
      gitCommands.setOriginUrl(at.appDir, repository(v)),
      gitCommands.excludeState(at.appDir),
      gitCommands.head(at.appDir),
      gitCommands.changedTracked(at.appDir),
      gitCommands.stash(at.appDir, v),
      gitCommands.fetchAll(at.appDir),
      gitCommands.fetchAll(at.appDir, repository(v).credentials),
      gitCommands.fetchRef(at.appDir, v),
      gitCommands.fetchRef(at.appDir, v, repository(v).credentials),
      gitCommands.resolve(at.appDir, v),
      // Anything but a full sha is refused by the builder itself (see the refusals below).
      gitCommands.checkout(at.appDir, SHA)
    ]
  },
  {
    covers: [
      'ssh-deploy/git-source: prepareClone',
      'ssh-deploy/git-source: fetchCommit',
      'ssh-deploy/git-source: checkoutCommit'
    ],
    sample: true,
    commands: async (v, at) =>
      commandsSentBy(
        async host => {
          await prepareClone(host, at.appDir, repository(v))
          await fetchCommit(host, at.appDir, v, repository(v).credentials)
          await checkoutCommit(host, at.appDir, SHA, v)
        },
        cmd => {
          if (cmd.argv[0] === 'test') return { code: 1 }
          if (cmd.argv.includes('rev-parse')) return { stdout: `${SHA}\n` }
          if (cmd.argv.includes('status')) return { stdout: ` M ${v}\n` }
          return undefined
        }
      )
  },
  {
    covers: [
      'commands/lock: lockCommands.acquire',
      'commands/lock: lockCommands.takeOver',
      'commands/lock: lockCommands.heartbeat',
      'commands/lock: lockCommands.release'
    ],
    commands: (v, at) => [
      lockCommands.acquire(at.appDir, owner(v)),
      lockCommands.takeOver(at.appDir, v, v),
      lockCommands.heartbeat(at.appDir, v),
      lockCommands.release(at.appDir, v)
    ]
  },
  {
    covers: ['commands/git: ancestryCommand'],
    commands: (v, at) => [ancestryCommand(at.appDir, v, v)]
  },
  {
    covers: ['ssh-deploy/lock: DeployLock'],
    sample: true,
    commands: async (v, at) =>
      commandsSentBy(async host => {
        const lock = await DeployLock.acquire(host, at.appDir, owner(v), 1000)
        await lock.release()
      })
  },
  {
    covers: ['commands/preflight: preflightCommand'],
    commands: (v, at) => [
      preflightCommand({
        appDir: `${at.appDir}/${v}`,
        minFreeKib: 0,
        compose: 'auto',
        log: statePaths(`${at.appDir}/${v}`).log
      })
    ]
  },
  {
    covers: [
      'commands/files: fileCommands.read',
      'commands/files: fileCommands.append',
      'commands/files: fileCommands.writePrivate',
      'commands/files: fileCommands.isDirectory',
      'commands/files: fileCommands.isSymlink',
      'commands/files: fileCommands.list',
      'commands/files: fileCommands.removeFile',
      'commands/files: fileCommands.removeTree',
      'ssh-deploy/env-file: mergeEnv'
    ],
    commands: (v, at) => {
      const paths = statePaths(at.appDir)
      let envText: string
      try {
        envText = mergeEnv(`KEPT=${v}\n`, [['HOSTILE', v]], 'compose-v2')
      } catch {
        envText = `KEPT=${v}\n` // a CR or NUL: refused as an env value, see the refusals below
      }
      return [
        fileCommands.read(paths.log),
        fileCommands.append(paths.log, JSON.stringify({ id: v, ref: v }) + '\n'),
        fileCommands.writePrivate(`${at.appDir}/.env`, paths.envSnapshot(v), envText),
        fileCommands.isDirectory(`${at.appDir}/${v}`),
        fileCommands.isSymlink(`${at.appDir}/${v}`),
        fileCommands.list(`${at.appDir}/${v}`),
        fileCommands.removeFile(`${at.appDir}/${v}`),
        fileCommands.removeTree(`${at.appDir}/${v}`)
      ]
    }
  },
  {
    covers: [
      'commands/upload: uploadCommands.prepare',
      'commands/upload: uploadCommands.unpack',
      'commands/upload: uploadCommands.switchCurrent',
      'commands/upload: uploadCommands.currentTarget',
      'commands/upload: uploadCommands.listReleases',
      'commands/upload: uploadCommands.removeRelease',
      'commands/upload: uploadCommands.exists'
    ],
    commands: (v, at) => [
      uploadCommands.prepare(at.appDir),
      uploadCommands.unpack(at.appDir, v, `${at.appDir}/releases/.incoming-${v}.tar.gz`),
      uploadCommands.switchCurrent(at.appDir, v),
      uploadCommands.currentTarget(at.appDir),
      uploadCommands.listReleases(at.appDir),
      uploadCommands.removeRelease(at.appDir, v),
      uploadCommands.exists(`${at.appDir}/releases/${v}`)
    ]
  },
  {
    covers: [
      'commands/swarm: swarmCommands.nodeState',
      'commands/swarm: swarmCommands.resolvedConfig',
      'commands/swarm: swarmCommands.writeStackFile',
      'commands/swarm: swarmCommands.deploy',
      'commands/swarm: swarmCommands.serviceIds',
      'commands/swarm: swarmCommands.inspectServices',
      'commands/swarm: swarmCommands.taskIds',
      'commands/swarm: swarmCommands.inspectTasks',
      'commands/swarm: swarmCommands.failedTasks',
      'commands/swarm: swarmCommands.taskLogs',
      'commands/swarm: swarmCommands.oneOff'
    ],
    commands: (v, at) => [
      swarmCommands.nodeState(),
      swarmCommands.resolvedConfig(project(v, at)),
      swarmCommands.writeStackFile(`${at.appDir}/${v}.json`, v),
      swarmCommands.deploy(`${at.appDir}/${v}.json`, v),
      swarmCommands.deploy(`${at.appDir}/${v}.json`, v, `${at.appDir}/${v}`),
      swarmCommands.serviceIds(v),
      swarmCommands.inspectServices([v, v]),
      swarmCommands.taskIds([v]),
      swarmCommands.inspectTasks([v]),
      swarmCommands.failedTasks(v),
      swarmCommands.taskLogs(v),
      swarmCommands.oneOff(
        {
          image: v,
          network: v,
          mounts: [v],
          workingDir: v,
          user: v,
          entrypoint: [v, v],
          envText: `K=${v}\n`
        },
        [v, v]
      )
    ]
  },
  {
    covers: ['ssh-deploy/upload-source: uploadRelease', 'ssh-deploy/upload-source: pruneReleases'],
    sample: true,
    commands: async (v, at) => [
      ...(await commandsSentBy(host => uploadRelease(host, at.appDir, v, '/dev/null'))),
      ...(await commandsSentBy(
        host => pruneReleases(host, at.appDir, 1, ['zzz']),
        () => ({ stdout: `${v}\n0-old\nzzz\n` })
      ))
    ]
  },
  {
    covers: [
      'ssh-deploy/containers: waitUntilReady',
      'ssh-deploy/containers: waitForContainers',
      'ssh-deploy/containers: keepImages',
      'ssh-deploy/containers: pruneImages',
      'ssh-deploy/containers: restoreImages'
    ],
    commands: async (v, at) => {
      const inspected = (cmd: RemoteCommand) =>
        cmd.argv[2]?.endsWith('docker inspect -- "$@"')
          ? { stdout: `1767261600\n${inspectJson(v)}` }
          : { stdout: `${v}\n` }
      return [
        // the `docker logs` of a container that is not ready (ps and inspect are the builders')
        ...(
          await commandsSentBy(
            host => waitUntilReady(host, project(v, at), [v], 0, [], 5000),
            inspected
          )
        ).filter(cmd => cmd.argv[1] === 'logs'),
        ...(await commandsSentBy(host => keepImages(host, v, v, { [v]: { image: v, id: v } }))),
        ...(await commandsSentBy(
          host => pruneImages(host, v, ['kept']),
          () => ({ stdout: `${v}\nweb-kept\n` })
        )),
        ...(await commandsSentBy(host =>
          restoreImages(host, {
            tagged: { image: v, id: v },
            pinned: { image: `${v}@sha256:${'0'.repeat(64)}`, id: v }
          })
        ))
      ]
    }
  },
  {
    covers: [
      'ssh-deploy/containers: listContainers',
      'ssh-deploy/containers: idsFrom',
      'ssh-deploy/containers: inspectContainers'
    ],
    sample: true,
    commands: async (v, at) =>
      commandsSentBy(
        host => listContainers(host, project(v, at), [v]),
        cmd => (cmd.argv[1] === 'inspect' ? { stdout: inspectJson(v) } : { stdout: `${v}\n` })
      )
  },
  {
    covers: [
      'ssh-deploy/update-services: updateServices',
      'ssh-deploy/update-services: upOnceMoreOnNameConflict'
    ],
    sample: true,
    commands: async (v, at) => [
      ...(await commandsSentBy(host =>
        updateServices(host, project(v, at), deploySettings(v, 'recreate'), false)
      )),
      ...(await commandsSentBy(host =>
        updateServices(host, project(v, at), deploySettings(v, 'one-by-one'), false)
      ))
    ]
  },
  {
    covers: [
      'commands/migrate-tool: migrationArgv',
      'commands/migrate-tool: planArgvs',
      'commands/migrate-tool: stateArgv'
    ],
    commands: (v, at) => {
      const p = project(v, at)
      const argvs = [
        migrationArgv(migrate(v, at, 'django', 'down'), v),
        planArgvs(migrate(v, at, 'alembic', 'down'), v)[2],
        stateArgv('django', v)
      ]
      return [
        ...argvs.map(argv => inService(p, 'exec', v, argv ?? [])),
        // tool: service runs the service's own command, nothing of the user's
        inService(p, 'run', v, migrationArgv(migrate(v, at, 'service', 'up'), v) ?? [])
      ]
    }
  },
  {
    covers: [
      'commands/backup: dumpCommand',
      'commands/backup: restoreCommand',
      'commands/backup: writeDumpCommand',
      'commands/backup: verifyCommand',
      'commands/backup: restoreFromFileCommand',
      'commands/database: postgresClient'
    ],
    commands: (v, at) => {
      const p = project(v, at)
      const file = `${at.appDir}/${v}`
      return [
        postgresClient(backup(v, at, v), p, ['psql', v]),
        dumpCommand(backup(v, at, v), p),
        writeDumpCommand(dumpCommand(backup(v, at, ''), p), file),
        verifyCommand(file),
        restoreCommand(backup(v, at, ''), p),
        restoreFromFileCommand(restoreCommand(backup(v, at, v), p), file)
      ]
    }
  },
  {
    covers: [
      'commands/restore: singleTransactionPsql',
      'commands/restore: restoreInOneTransactionCommand',
      'commands/restore: dumpRecordCommand',
      'commands/restore: tableCountsCommand',
      'commands/restore: restoreServiceCommands.running',
      'commands/restore: restoreServiceCommands.stop',
      'commands/restore: restoreServiceCommands.start',
      'commands/restore-proof: snapshotDumpCommand',
      'commands/restore-proof: otherDatabase',
      'commands/restore-proof: scratchDatabaseCommand',
      'commands/restore-proof: restoreAndCountCommand',
      'commands/restore-proof: checksumCommand'
    ],
    commands: (v, at) => {
      const p = project(v, at)
      const file = `${at.appDir}/${v}`
      return [
        singleTransactionPsql(backup(v, at, v), p),
        restoreInOneTransactionCommand(backup(v, at, v), p, file, 30),
        restoreInOneTransactionCommand(backup(v, at, ''), p, file, 5),
        dumpRecordCommand(file),
        tableCountsCommand(backup(v, at, v), p),
        tableCountsCommand(backup(v, at, ''), p),
        restoreServiceCommands.running(p),
        restoreServiceCommands.stop(p, [v, 'backend']),
        restoreServiceCommands.start(p, [v, 'backend']),
        snapshotDumpCommand(backup(v, at, v), p, file),
        snapshotDumpCommand(backup(v, at, ''), p, file),
        scratchDatabaseCommand(backup(v, at, v), p, 'create', 'deploykit_proof_1'),
        scratchDatabaseCommand(backup(v, at, ''), p, 'drop', 'deploykit_proof_1'),
        restoreAndCountCommand(otherDatabase(backup(v, at, v), 'deploykit_proof_1'), p, file),
        restoreAndCountCommand(otherDatabase(backup(v, at, ''), 'deploykit_proof_1'), p, file),
        checksumCommand(file)
      ]
    }
  },
  {
    covers: ['migrate/restore: restoreBackup'],
    sample: true,
    commands: async (v, at) =>
      commandsSentBy(
        host =>
          restoreBackup(host, {
            backup: backup(v, at, ''),
            project: project(v, at),
            file: `${at.appDir}/${v}`,
            takenAt: new Date(0),
            stopServices: [v],
            lockTimeoutSeconds: 30
          }),
        () => ({ stdout: `${v}\n` })
      )
  },
  {
    covers: ['migrate/backup: takeBackup (backup-verify: restore, backup-copy-to: runner)'],
    commands: async (v, at) =>
      commandsSentBy(
        host =>
          takeBackup(
            host,
            { ...backup(v, at, ''), verify: 'restore', copyTo: 'runner' },
            project(v, at),
            new Date(0)
          ),
        () => ({ stdout: `${'a'.repeat(64)} 10\npublic.t\t1\n` })
      )
  },
  {
    covers: ['migrate/backup: takeBackup'],
    sample: true,
    commands: async (v, at) =>
      commandsSentBy(host => takeBackup(host, backup(v, at, ''), project(v, at), new Date(0)))
  },
  {
    covers: ['migrate/backup: pruneBackups'],
    commands: async (v, at) =>
      commandsSentBy(
        host => pruneBackups(host, { ...backup(v, at, ''), database: 'db' }),
        () => ({
          stdout: 'deploykit-db-20260101T000000Z.sql.gz\ndeploykit-db-20260102T000000Z.sql.gz\n'
        })
      )
  },
  {
    covers: ['commands/remote-script: scriptCommand'],
    commands: v => [forwardingScript(v, true), forwardingScript(v, false)]
  },
  {
    covers: ['commands/collectstatic: collectstaticArgv'],
    commands: (v, at) => [
      inService(project(v, at), 'exec', v, collectstaticArgv(v, { clear: true, settings: v }))
    ]
  },
  ...(['curl', 'gnu-wget', 'busybox-wget'] as const).map((variant): RemoteCase => ({
    covers: [
      'commands/http-probe: probeCommand',
      'commands/http-probe: onServer',
      'commands/http-probe: probeArgv',
      'commands/http-probe: curlArgv',
      'commands/http-probe: gnuWgetArgv',
      'commands/http-probe: busyboxWgetArgv',
      'commands/http-probe: probeStdin',
      'commands/http-probe: curlConfig',
      'commands/http-probe: wgetrc'
    ],
    variant,
    commands: v => [
      probe(probeRequest(v, 'GET'), `DKPROBE-${v}`),
      // busybox wget takes no headers and cannot PUT: the script says so without running anything
      ...(variant === 'busybox-wget'
        ? [
            probe(probeRequest(v, 'GET', false), `DKPROBE-${v}`),
            probe(probeRequest(v, 'PUT', false), 'DKPROBE-0')
          ]
        : [])
    ]
  })),
  {
    covers: ['commands/compose: composeCommands.services', 'commands/http-probe: inRunningService'],
    commands: (v, at) => [
      composeCommands.services(project(v, at)),
      probeCommand(probeRequest(v, 'GET'), `DKPROBE-${v}`, inRunningService(project(v, at), v))
    ]
  },
  {
    covers: ['smoke-check/remote-probe: placeProbe', 'smoke-check/remote-probe: remoteProbe'],
    commands: async (v, at) =>
      commandsSentBy(
        async host => {
          const from = { kind: 'container' as const, service: v }
          const app = {
            appDir: at.appDir,
            composeFiles: [v],
            envFile: v,
            projectName: v,
            composeChoice: 'docker compose' as const
          }
          const place = await placeProbe(host, from, app)
          const check = {
            method: 'GET',
            url: `http://h/${v}`,
            shownUrl: '',
            expect: {}
          } as UrlCheck
          await remoteProbe(host, place, from, {
            headers: [{ name: 'X-Hostile', value: v }],
            followRedirects: true,
            insecureTls: false
          })(check, 2000)
        },
        cmd => (cmd.argv.includes('--services') ? { stdout: `${v}\n` } : undefined)
      ).then(sent => sent.filter(cmd => !cmd.argv.includes('version'))) // `docker compose version` holds nothing of the user's
  }
]

export const RESTORE_HINT_COVERS = 'commands/backup: restoreHint'

/**
 * restoreHint is not a command but shell text for a person to paste: it must
 * run what restoreFromFileCommand runs.
 */
export function restoreHintCases(
  v: string,
  at: Place
): Array<{ hint: string; equivalent: RemoteCommand }> {
  const p = project(v, at)
  const file = `${at.appDir}/${v}`
  return [backup(v, at, v), backup(v, at, '')].map(b => {
    const restore = restoreCommand(b, p)
    return { hint: restoreHint(restore, file), equivalent: restoreFromFileCommand(restore, file) }
  })
}

function buildRequest(v: string, at: Place): BuildRequest {
  return {
    name: v,
    repository: v,
    context: `${at.appDir}/${v}`,
    dockerfile: `${at.appDir}/${v}/Dockerfile`,
    tags: [v, 'latest'],
    labels: { [v]: v },
    buildArgs: [[v, v], [v]],
    target: v,
    platforms: [v]
  }
}

/** Runner-side: no shell, the argv goes to execve as it is. */
export const RUNNER_CASES: RunnerCase[] = [
  {
    covers: [
      'build-image/docker-commands: dockerBuild',
      'build-image/docker-commands: buildxBuild',
      'build-image/docker-commands: dockerPush',
      'build-image/docker-commands: dockerLogin',
      'build-image/docker-commands: inspectImageId',
      'build-image/docker-commands: inspectRepoDigests',
      'build-image/docker-commands: imageRefs'
    ],
    run: 'docker',
    invocations: (v, at) =>
      [
        docker.dockerBuild(buildRequest(v, at), `${at.appDir}/${v}.iid`),
        docker.buildxBuild(buildRequest(v, at), {
          output: 'push',
          cache: 'gha',
          metadataFile: `${at.appDir}/${v}.json`
        }),
        docker.buildxBuild(buildRequest(v, at), {
          output: 'load',
          cache: 'registry',
          metadataFile: v,
          buildkit: {
            secrets: [
              { id: v, src: `${at.appDir}/${v}` },
              { id: v, env: v }
            ],
            ssh: [v],
            noCache: true,
            pull: true,
            buildContexts: [v],
            provenance: v,
            sbom: v,
            cacheFrom: [v],
            cacheTo: [v]
          }
        }),
        docker.dockerPush(v),
        docker.dockerLogin(v, v),
        docker.inspectImageId(v),
        docker.inspectRepoDigests(v)
      ].map(argv => ({ argv }))
  },
  {
    covers: ['run-tests/commands: testCommand', 'run-tests/commands: installCommands'],
    run: 'runCommand',
    invocations: (v, _at, python) => {
      const ctx = {
        python,
        packageManager: 'npm' as const,
        command: '',
        pytestJunit: v,
        pytestAddopts: v
      }
      const files = { has: () => true }
      return [
        testCommand('django', ctx),
        testCommand('pytest', ctx),
        ...installCommands('pytest', files, ctx).map(argv => ({ argv }))
      ]
    }
  }
]

/**
 * What goes over real SSH: every kind of slot (cwd, env, stdin, secret env on
 * stdin ahead of the command's own, `sh -c` arguments, a probe URL and header).
 */
export const SSH_SAMPLE_CASES: RemoteCase[] = [
  {
    covers: ['commands/compose: composeCommand'],
    commands: (v, at) => [composeCommand(project(v, at), ['up', '-d', v])]
  },
  {
    covers: ['commands/files: fileCommands.writePrivate'],
    commands: (v, at) => [
      fileCommands.writePrivate(
        `${at.appDir}/.env`,
        statePaths(at.appDir).envSnapshot(v),
        `K=${v}\n`
      )
    ]
  },
  {
    covers: ['commands/backup: writeDumpCommand'],
    commands: (v, at) => [
      writeDumpCommand(dumpCommand(backup(v, at, ''), project(v, at)), `${at.appDir}/${v}`)
    ]
  },
  {
    covers: ['commands/lock: lockCommands.release'],
    commands: (v, at) => [lockCommands.release(at.appDir, v)]
  },
  {
    covers: ['commands/lock: lockCommands.acquire'],
    commands: (v, at) => [lockCommands.acquire(at.appDir, owner(v))]
  },
  {
    covers: ['commands/git: gitCommands.fetchRef'],
    commands: (v, at) => [gitCommands.fetchRef(at.appDir, v, repository(v).credentials)]
  },
  {
    covers: ['commands/http-probe: probeCommand'],
    commands: v => [probe(probeRequest(v, 'GET'), `DKPROBE-${v}`)]
  },
  {
    covers: ['commands/remote-script: scriptCommand'],
    commands: v => [forwardingScript(v, true)]
  }
]
