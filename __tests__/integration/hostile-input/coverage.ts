/**
 * What the hostile-input test covers, for a newcomer and for the test itself:
 * every function exported by a module of src/ that builds or runs commands is
 * covered by a case in builders.ts, or listed here with the reason it is not.
 * A new export fails the test until it is one or the other.
 */
import * as dockerCli from '../../../src/build-image/docker-cli.js'
import * as dockerCommands from '../../../src/build-image/docker-commands.js'
import * as collectstatic from '../../../src/collectstatic/main.js'
import * as collectstaticClear from '../../../src/collectstatic/clear.js'
import * as collectstaticSettings from '../../../src/collectstatic/settings.js'
import * as backupCommands from '../../../src/commands/backup.js'
import * as restoreCommands from '../../../src/commands/restore.js'
import * as collectstaticCommands from '../../../src/commands/collectstatic.js'
import * as database from '../../../src/commands/database.js'
import * as registryLogin from '../../../src/commands/registry-login.js'
import * as registrySession from '../../../src/ssh-deploy/registry-session.js'
import * as restoreProof from '../../../src/commands/restore-proof.js'
import * as httpProbe from '../../../src/commands/http-probe.js'
import * as migrateTool from '../../../src/commands/migrate-tool.js'
import * as commandsCompose from '../../../src/commands/compose.js'
import * as commandsDocker from '../../../src/commands/docker.js'
import * as commandsFiles from '../../../src/commands/files.js'
import * as commandsGit from '../../../src/commands/git.js'
import * as commandsLock from '../../../src/commands/lock.js'
import * as remoteScript from '../../../src/commands/remote-script.js'
import * as commandsUpload from '../../../src/commands/upload.js'
import * as commandsPreflight from '../../../src/commands/preflight.js'
import * as preflight from '../../../src/ssh-deploy/host-deploy/preflight.js'
import * as appSettings from '../../../src/core/app-settings.js'
import * as compose from '../../../src/server/compose.js'
import * as fleet from '../../../src/core/fleet.js'
import * as prune from '../../../src/core/prune.js'
import * as remoteCommand from '../../../src/core/remote-command.js'
import * as shell from '../../../src/core/shell.js'
import * as sshSession from '../../../src/core/ssh-session.js'
import * as backup from '../../../src/migrate/backup.js'
import * as restore from '../../../src/migrate/restore.js'
import * as restoreSettings from '../../../src/migrate/restore-settings.js'
import * as migrateMain from '../../../src/migrate/main.js'
import * as migrateWhere from '../../../src/migrate/where.js'
import * as stackState from '../../../src/ssh-deploy/swarm/stack-state.js'
import * as remoteProbe from '../../../src/smoke-check/remote-probe.js'
import * as containers from '../../../src/ssh-deploy/containers.js'
import * as deployHost from '../../../src/ssh-deploy/deploy-host.js'
import * as envFile from '../../../src/ssh-deploy/env-file.js'
import * as gitSource from '../../../src/ssh-deploy/git-source.js'
import * as lock from '../../../src/ssh-deploy/lock.js'
import * as heldLocks from '../../../src/whole-deploy/held-locks.js'
import * as releaseOrder from '../../../src/ssh-deploy/release-order.js'
import * as rolling from '../../../src/ssh-deploy/rolling.js'
import * as updateServices from '../../../src/ssh-deploy/update-services.js'
import * as commandsSwarm from '../../../src/commands/swarm.js'
import * as uploadSource from '../../../src/ssh-deploy/upload-source.js'
import * as testCommands from '../../../src/run-tests/commands.js'
import * as testMain from '../../../src/run-tests/main.js'
import * as testReport from '../../../src/run-tests/report.js'
import * as runCommand from '../../../src/run-tests/run-command.js'

/** Every module of src/ whose text mentions argv, RemoteCommand or a way to start a process. */
export const MODULES: Record<string, Record<string, unknown>> = {
  'build-image/docker-cli': dockerCli,
  'build-image/docker-commands': dockerCommands,
  'collectstatic/main': collectstatic,
  'collectstatic/clear': collectstaticClear,
  'collectstatic/settings': collectstaticSettings,
  'commands/backup': backupCommands,
  'commands/restore': restoreCommands,
  'commands/collectstatic': collectstaticCommands,
  'commands/database': database,
  'commands/registry-login': registryLogin,
  'ssh-deploy/registry-session': registrySession,
  'commands/restore-proof': restoreProof,
  'commands/http-probe': httpProbe,
  'commands/migrate-tool': migrateTool,
  'commands/compose': commandsCompose,
  'commands/docker': commandsDocker,
  'commands/files': commandsFiles,
  'commands/git': commandsGit,
  'commands/lock': commandsLock,
  'commands/remote-script': remoteScript,
  'commands/upload': commandsUpload,
  'commands/swarm': commandsSwarm,
  'commands/preflight': commandsPreflight,
  'ssh-deploy/host-deploy/preflight': preflight,
  'core/app-settings': appSettings,
  'server/compose': compose,
  'core/fleet': fleet,
  'core/prune': prune,
  'core/remote-command': remoteCommand,
  'core/shell': shell,
  'core/ssh-session': sshSession,
  'migrate/backup': backup,
  'migrate/restore': restore,
  'migrate/restore-settings': restoreSettings,
  'migrate/main': migrateMain,
  'smoke-check/remote-probe': remoteProbe,
  'ssh-deploy/containers': containers,
  'ssh-deploy/deploy-host': deployHost,
  'ssh-deploy/env-file': envFile,
  'ssh-deploy/git-source': gitSource,
  'ssh-deploy/lock': lock,
  'whole-deploy/held-locks': heldLocks,
  'ssh-deploy/release-order': releaseOrder,
  'ssh-deploy/rolling': rolling,
  'ssh-deploy/update-services': updateServices,
  'ssh-deploy/upload-source': uploadSource,
  'run-tests/commands': testCommands,
  'run-tests/main': testMain,
  'run-tests/report': testReport,
  'run-tests/run-command': runCommand,
  'migrate/where': migrateWhere,
  'ssh-deploy/swarm/stack-state': stackState
}

/** Builders whose text argument is a shell script by design: the user writes code, not data. */
export const CODE_BY_DESIGN: Record<string, string> = {
  'commands/files: fileCommands.runScript':
    'pre-deploy and post-deploy are shell scripts the user writes; they run as `sh -e -c SCRIPT`',
  'commands/migrate-tool: migrationArgv (tool: command)':
    "migrate's command and down-command are shell commands, run as `sh -c` inside the service (the case still sends the other slots hostile)",
  'commands/compose: composeCommands.reload (script)':
    'proxy-reload-command is a shell command run inside the proxy service; the proxy service name is data and is covered',
  'run-tests/commands: testCommand (command)':
    "the test action's command input is a shell command run as `sh -c` on the runner"
}

/** Exports that build no command from user text, or only run what covered builders build. */
export const NOT_BUILDERS: Record<string, string> = {
  'commands/lock: lockCommands.waitForRunWork':
    "its slots are the run's own random hex token (anything else is refused) and a whole number of seconds: no user text",
  'ssh-deploy/lock: waitForRunWork': 'runs lockCommands.waitForRunWork',
  'build-image/docker-cli: docker':
    'the runner-side executor the docker-commands cases run through',
  'build-image/docker-cli: dockerChecked': 'docker() plus an exit-code check',
  'build-image/docker-cli: dockerCli':
    'docker() and dockerChecked() with a fixed environment added',
  'build-image/docker-cli: credentialStoreHosts':
    'runs `docker-credential-NAME list` through @actions/exec (no shell), NAME from the docker config checked against [A-Za-z0-9._-]',
  'build-image/docker-commands: buildxVersion': 'constant argv',
  'build-image/docker-commands: buildxInspect': 'constant argv',
  'build-image/docker-commands: dockerDriverStatus': 'constant argv',
  'collectstatic/settings: readCollectstaticSettings': 'settings (see refusals.test.ts)',
  'collectstatic/main: filesCopied': 'parses output',
  'collectstatic/main: explainFailure': 'parses output',
  'collectstatic/main: run': 'orchestrates: inService with collectstaticArgv, both covered',
  'collectstatic/clear: chooseClear': 'decides from the release log record',
  'collectstatic/clear: clearReason': 'message text',
  'collectstatic/clear: liveRelease': 'runs fileCommands.read of the release log, covered',
  'core/app-settings: readAppSettings': 'settings (see refusals.test.ts)',
  'server/compose: detectCompose': 'runs composeCommands.version, covered',
  'server/compose: probePython':
    'runs the probe it is given (composeCommands.findPython or swarmCommands.oneOff), covered',
  'migrate/where: migrationPlace':
    "runs inService, findPython and swarmCommands.oneOff (made by stackServiceRun from the release's stack file), covered",
  'ssh-deploy/swarm/stack-state: readStack':
    'runs swarmCommands.serviceIds, inspectServices, taskIds and inspectTasks, covered',
  'ssh-deploy/swarm/stack-state: isGoneOnly': "reads the engine's stderr",
  'server/compose: projectFor':
    'builds the ComposeProject the compose cases fill with hostile values',
  'core/prune: choosePruned': 'decides from names',
  'core/prune: pruneListed':
    'runs the list and remove commands its callers give it (pruneReleases, pruneImages, pruneBackups, covered)',
  'core/fleet: HostContext': 'hands commands to the transport unchanged',
  'core/fleet: failureText': 'message text',
  'core/fleet: mapLimited': 'concurrency helper',
  'core/fleet: forEachHost': 'opens sessions',
  'core/fleet: Fleet': 'opens sessions and hands work the HostContext of each',
  'ssh-deploy/host-deploy/preflight: preflightHost': 'runs preflightCommand, covered',
  'ssh-deploy/host-deploy/preflight: parsePreflight': 'parses output',
  'ssh-deploy/host-deploy/preflight: dockerDaemonProblem': 'message text',
  'ssh-deploy/host-deploy/preflight: filesOf': 'decides from release records',
  'core/remote-command: toShell':
    'the quoting every case goes through (the exec string is checked for each)',
  'core/remote-command: describe': 'the log line, toShell with secrets hidden',
  'core/remote-command: shellLaunch':
    'the exec string and stdin of every case: the test sends exactly what it returns',
  'core/shell: stdinExportLine':
    'the quoting of secret values on stdin every case with secret env goes through (they are checked to arrive in the environment)',
  'core/shell: quote': 'the quoting every case goes through',
  'core/shell: commandLine': 'the quoting every case goes through',
  'core/shell: exportPrefix': 'the quoting of environment every case with env goes through',
  'core/shell: isEnvName': 'predicate',
  'core/ssh-session: SshSession': 'the transport: its exact exec string is what every case runs',
  'migrate/backup: backupFileName': 'file name from a validated database name',
  'migrate/backup: isOwnBackup': 'predicate',
  'commands/registry-login: mkDockerConfig':
    'a constant `sh -c` script with no argument: nothing of the user reaches it',
  'commands/registry-login: isDeployDockerConfig': 'predicate',
  'ssh-deploy/registry-session: leftConfigs': 'parses the step state',
  'ssh-deploy/registry-session: logIn':
    'runs mkDockerConfig (constant), then dockerLogin (covered) with the directory it printed once isDeployDockerConfig took it',
  'ssh-deploy/registry-session: logOut': 'runs removeDockerConfig (covered)',
  'ssh-deploy/registry-session: removeLeftConfig':
    'runs removeDockerConfig (covered) on a path leftConfigs checked',
  'migrate/restore: parseCounts': 'parses output',
  'migrate/restore: countDifferences': 'compares parsed output',
  'migrate/restore-settings: readRestoreSettings':
    'settings (service names checked against [A-Za-z0-9._-])',
  'migrate/main: migrateHost':
    'orchestrates: inService with the migrate-tool and backup commands, all covered',
  'migrate/main: run': 'orchestrates migrateHost',
  'commands/http-probe: busyboxLimit':
    "predicate; the probe script's refusal it feeds is run by the busybox-wget case",
  'ssh-deploy/containers: parseInspect': 'parses output',
  'ssh-deploy/containers: judgeContainer': 'decides from parsed output',
  'ssh-deploy/containers: judgeRelease': 'decides from parsed output',
  'ssh-deploy/containers: releaseImageRepo': 'name for keepImages and pruneImages, covered',
  'ssh-deploy/containers: releaseImageTag': 'name for keepImages, covered',
  'ssh-deploy/containers: imagesOf': 'reads container states',
  'ssh-deploy/deploy-host: DeployFailure': 'an error',
  'ssh-deploy/deploy-host: deployHost':
    'orchestrates the covered builders (host-deploy/, whose steps call them)',
  'ssh-deploy/env-file: envDialect': 'picks the env file syntax',
  'ssh-deploy/env-file: quoteEnvValue':
    'env file syntax, not shell; mergeEnv is covered as stdin of writePrivate',
  'ssh-deploy/env-file: parseEnv': 'parses the env file',
  'ssh-deploy/env-file: missingEnv': 'parses the env file',
  'ssh-deploy/lock: newLockToken': 'random hex',
  'whole-deploy/held-locks: HeldLocks':
    'runs lockCommands.heartbeat, lockCommands.release and fileCommands.append (covered) with the app-dir and its own token',
  'ssh-deploy/lock: LockLost': 'an error',
  'ssh-deploy/lock: describeOwner': 'message text',
  'ssh-deploy/lock: parseHolder': 'parses output',
  'ssh-deploy/lock: parseOwner': 'parses output',
  'ssh-deploy/release-order: parseAncestry': 'parses output',
  'ssh-deploy/release-order: decideOrder': 'decides from parsed output',
  'ssh-deploy/release-order: orderVerdict': 'message text',
  'ssh-deploy/release-order: liveCommit': 'reads a release record',
  'ssh-deploy/release-order: runnerAncestry':
    "runs ancestryCommand's argv (covered) on the runner with execFileSync, no shell in between",
  'ssh-deploy/rolling: rollingProblems': 'message text',
  'ssh-deploy/rolling: planRolling':
    'orchestrates dockerCommands.serviceContainers and dockerCommands.inspect, covered',
  'ssh-deploy/rolling: rollServices':
    'orchestrates the compose and docker commands of rolling and waitForContainers, covered',
  'ssh-deploy/upload-source: packTree':
    'runner-side execFileSync of git and tar (no shell) with upload-path, a directory of the checkout',
  'run-tests/main: run': 'orchestrates runCommand with testCommand and installCommands, covered',
  'run-tests/report: failuresOf': 'report text',
  'run-tests/report: setCountOutputs': 'outputs',
  'run-tests/report: annotate': 'annotations',
  'run-tests/report: failureMessage': 'report text',
  'run-tests/report: writeSummary': 'summary text (HTML-escaped)',
  'run-tests/run-command: runCommand':
    'the runner-side executor the test-commands cases run through'
}

/** `module: name` for every exported function, and `module: object.name` for command tables. */
export function exportedBuilders(): string[] {
  const names: string[] = []
  for (const [module, exports] of Object.entries(MODULES)) {
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function') names.push(`${module}: ${name}`)
      else if (
        value &&
        typeof value === 'object' &&
        Object.values(value).every(v => typeof v === 'function')
      )
        for (const key of Object.keys(value)) names.push(`${module}: ${name}.${key}`)
    }
  }
  return names
}
