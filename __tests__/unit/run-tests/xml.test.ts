import { describe, expect, it } from '@jest/globals'
import { parseXml, XmlError } from '../../../src/run-tests/xml.js'

describe('parseXml', () => {
  it('reads elements, attributes, entities, character references, CDATA and comments', () => {
    const root = parseXml(
      `\uFEFF<?xml version="1.0"?>\n<!DOCTYPE x>\n<a k="1 &lt; 2" q='it&apos;s'><!-- note --><b>x &amp; y&#10;&#x263A;</b><c/><![CDATA[<raw> & ]]></a>`
    )
    expect(root.name).toBe('a')
    expect(root.attrs).toEqual({ k: '1 < 2', q: "it's" })
    expect(root.children.map(c => c.name)).toEqual(['b', 'c'])
    expect(root.children[0].text).toBe('x & y\n☺')
    expect(root.text).toBe('<raw> & ')
  })

  it('turns line breaks inside an attribute into spaces, as XML does', () => {
    expect(parseXml('<a m="one\ntwo&#10;three"/>').attrs.m).toBe('one two\nthree')
  })

  it.each([
    ['<a><b></a>', /<\/a> does not close <b>/],
    ['<a>', /<a> is never closed/],
    ['<a/><b/>', /a second root element/],
    ['text', /text outside the root element/],
    ['<a><!-- open', /unterminated comment/],
    ['', /no root element/]
  ])('rejects %j', (text, message) => {
    expect(() => parseXml(text)).toThrow(XmlError)
    expect(() => parseXml(text)).toThrow(message)
  })
})
