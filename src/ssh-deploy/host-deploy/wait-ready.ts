import { ContainerState, listContainers, waitUntilReady } from '../containers.js'
import { composeProject, HostDeploy } from './context.js'

/** Waits until the release's containers are ready (or, without wait, lists them). Changes nothing. */
export async function waitReady(d: HostDeploy): Promise<ContainerState[]> {
  const { host, s } = d
  const project = composeProject(d)
  return s.wait
    ? waitUntilReady(host, project, s.services, s.waitTimeoutMs, s.waitIgnore, s.waitStableMs)
    : listContainers(host, project, s.services)
}
