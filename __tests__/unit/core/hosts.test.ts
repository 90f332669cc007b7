import { describe, expect, it } from '@jest/globals'
import { parseHost, parseHosts } from '../../../src/core/hosts.js'

const defaults = { port: 22, username: 'deploy' }

describe('parseHosts', () => {
  it('reads comma and newline separated [user@]host[:port] entries', () => {
    const hosts = parseHosts('web1.example.com, ops@web2.example.com:2222\n10.0.0.5\n', defaults)
    expect(hosts.map(h => [h.username, h.host, h.port, h.label])).toEqual([
      ['deploy', 'web1.example.com', 22, 'deploy@web1.example.com'],
      ['ops', 'web2.example.com', 2222, 'ops@web2.example.com:2222'],
      ['deploy', '10.0.0.5', 22, 'deploy@10.0.0.5']
    ])
  })

  it('takes IPv6 addresses, with a port only in brackets', () => {
    expect(parseHost('root@[2001:db8::1]:2200', defaults)).toMatchObject({
      host: '2001:db8::1',
      port: 2200,
      label: 'root@[2001:db8::1]:2200'
    })
    expect(parseHost('[::1]', defaults)).toMatchObject({ host: '::1', port: 22 })
    expect(parseHost('fe80::1', defaults)).toMatchObject({ host: 'fe80::1', port: 22 })
  })

  it.each([
    ['web1:99999', /port "99999" is not a number from 1 to 65535/],
    ['web1:ssh', /port "ssh"/],
    ['web 1', /"web 1" is not a valid host name/],
    ['$(reboot)', /"\$\(reboot\)" is not a valid host name/],
    ['[::1', /without a closing/],
    ['[web1]:22', /not an IPv6 address/],
    ['bad user@web1', /invalid user name/]
  ])('rejects %j, quoting it', (entry, message) => {
    expect(() => parseHosts(entry, defaults)).toThrow(message)
  })

  it('names the input and how to fix it', () => {
    expect(() => parseHosts('', defaults)).toThrow(
      /^Input 'host': is empty\. Give at least one server/
    )
    expect(() => parseHosts('web1', { port: 22, username: '' })).toThrow(
      /Set 'username' or write the host as user@host/
    )
    expect(() => parseHosts('a@web1, a@web1:22', defaults)).toThrow(/lists a@web1 twice/)
  })
})
