import { describe, expect, it } from '@jest/globals'
import {
  BadUrl,
  hideUrlIn,
  parseTargetUrl,
  shownText,
  urlSecrets
} from '../../../src/smoke-check/target-url.js'
import { thrown } from '../../helpers/thrown.js'

const basic = (userinfo: string) => `Basic ${Buffer.from(userinfo).toString('base64')}`

const badUrl = (text: string) => thrown(() => parseTargetUrl(text), BadUrl)

describe('parseTargetUrl', () => {
  it('requests the URL without user info or fragment and sends the credentials as Basic auth', () => {
    expect(parseTargetUrl('https://deploy:s3cr%40t@app.example.com/health?token=abc#top')).toEqual({
      href: 'https://app.example.com/health?token=abc',
      authorization: basic('deploy:s3cr@t'),
      shown: 'https://deploy:***@app.example.com/health?token=***'
    })
  })

  it('takes a lone user name for a token: shown as ***, sent with an empty password', () => {
    expect(parseTargetUrl('https://ghp_abc123@api.example.com/ping')).toEqual({
      href: 'https://api.example.com/ping',
      authorization: basic('ghp_abc123:'),
      shown: 'https://***@api.example.com/ping'
    })
  })

  it('leaves a URL without credentials as it is, with no authorization', () => {
    expect(parseTargetUrl('http://127.0.0.1:8000/health')).toEqual({
      href: 'http://127.0.0.1:8000/health',
      authorization: undefined,
      shown: 'http://127.0.0.1:8000/health'
    })
  })

  it('refuses a scheme other than http(s), showing the URL without its password', () => {
    const err = badUrl('ftp://deploy:pw-ftp@files.example.com/x?key=kv-ftp')
    expect(err.problem).toBe('is not an http:// or https:// URL')
    expect(err.message).toBe(
      '"ftp://deploy:***@files.example.com/x?key=***" is not an http:// or https:// URL'
    )
  })

  it('refuses text that does not parse without showing what may be its user info, and says how to fix a #', () => {
    const err = badUrl('http://deploy:pw#rest@app.example.com/')
    expect(err.message).toBe('"http://***@app.example.com/" is not a valid URL')
    expect(err.fix).toMatch(/write it as %23, %2F or %3F/)
    expect(badUrl('not a url').fix).toBeUndefined()
  })
})

describe('urlSecrets', () => {
  it('lists the password as typed, as WHATWG URL writes it and decoded', () => {
    expect(urlSecrets('https://u:p@ss@h/').sort()).toEqual(['p%40ss', 'p@ss'])
    expect(urlSecrets('https://u:p%2Fw@h/').sort()).toEqual(['p%2Fw', 'p/w'])
    expect(urlSecrets('https://tok3n@h/')).toEqual(['tok3n'])
  })

  it('finds what stands where user info would in text that does not parse', () => {
    expect(urlSecrets('http://deploy:pw#rest@app/')).toContain('pw#rest')
  })

  it('finds nothing in a URL without user info or in text without a scheme', () => {
    expect(urlSecrets('https://h/a@b')).toEqual([])
    expect(urlSecrets('user:pw@host')).toEqual([])
  })
})

describe('shownText', () => {
  it('redacts every URL in a text', () => {
    expect(
      shownText(
        'see https://u:p@x/ and http://t@y/z?k=v#f and http://plain/a@b and http://u:p#q@h/'
      )
    ).toBe('see https://u:***@x/ and http://***@y/z?k=*** and http://plain/a@b and http://***@h/')
  })
})

describe('hideUrlIn', () => {
  it("shows the request's URL and every copy of its query values as ***", () => {
    const href = 'https://h/x?token=abc123&page=2'
    expect(hideUrlIn(`GET ${href} failed; body: "token=abc123&page=2 rejected"`, href)).toBe(
      'GET https://h/x?token=***&page=*** failed; body: "token=***&page=*** rejected"'
    )
    expect(hideUrlIn('', href)).toBe('')
  })
})
