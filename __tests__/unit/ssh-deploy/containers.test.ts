import { describe, expect, it } from '@jest/globals'
import { parseInspect } from '../../../src/ssh-deploy/containers.js'

describe('docker inspect', () => {
  it('reads service, image, health and fixed host ports, and ignores ephemeral ones', () => {
    const json = JSON.stringify([
      {
        Id: 'one',
        Name: '/app_backend_1',
        Image: 'sha256:1',
        Config: { Image: 'app-backend', Labels: { 'com.docker.compose.service': 'backend' } },
        State: { Status: 'running', ExitCode: 0, Health: { Status: 'starting' } },
        HostConfig: {
          NetworkMode: 'app_default',
          PortBindings: {
            '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
            '9090/tcp': [{ HostIp: '', HostPort: '' }],
            '53/udp': null
          }
        }
      },
      { Id: 'two', Name: '/x', State: { Status: 'exited', ExitCode: 3 }, HostConfig: {} }
    ])
    expect(parseInspect(json)).toEqual([
      {
        id: 'one',
        name: 'app_backend_1',
        service: 'backend',
        image: 'app-backend',
        imageId: 'sha256:1',
        status: 'running',
        health: 'starting',
        exitCode: 0,
        hostPorts: ['127.0.0.1:8080->8080/tcp'],
        hostNetwork: false
      },
      {
        id: 'two',
        name: 'x',
        service: '',
        image: '',
        imageId: '',
        status: 'exited',
        health: '',
        exitCode: 3,
        hostPorts: [],
        hostNetwork: false
      }
    ])
  })
})
