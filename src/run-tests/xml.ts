/**
 * A small XML reader, enough for JUnit reports: elements, attributes, text,
 * CDATA, comments and the five entities plus character references. No DTDs,
 * no namespaces; a report that is not well-formed is an error.
 */

export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
  /** The element's own text and CDATA, entities decoded. */
  text: string
}

export class XmlError extends Error {
  constructor(message: string, at: number) {
    super(`${message} at character ${at}`)
    this.name = 'XmlError'
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16))
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10))
    return ENTITIES[ref] ?? whole
  })
}

const NAME = /[A-Za-z_:][\w:.-]*/y
const ATTRIBUTE = /\s+([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y
const TAG_END = /\s*(\/?)>/y

/** Parses a document and returns its root element. */
export function parseXml(source: string): XmlElement {
  const text = source.replace(/^\uFEFF/, '')
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  let i = 0

  const skipPast = (end: string, what: string): void => {
    const at = text.indexOf(end, i)
    if (at < 0) throw new XmlError(`unterminated ${what}`, i)
    i = at + end.length
  }

  while (i < text.length) {
    const lt = text.indexOf('<', i)
    const chunk = text.slice(i, lt < 0 ? text.length : lt)
    if (chunk.trim() !== '') {
      if (stack.length === 0) throw new XmlError('text outside the root element', i)
      stack[stack.length - 1].text += decodeEntities(chunk)
    }
    if (lt < 0) break
    i = lt
    if (text.startsWith('<?', i)) {
      skipPast('?>', 'processing instruction')
    } else if (text.startsWith('<!--', i)) {
      skipPast('-->', 'comment')
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i)
      if (end < 0) throw new XmlError('unterminated CDATA', i)
      if (stack.length === 0) throw new XmlError('CDATA outside the root element', i)
      stack[stack.length - 1].text += text.slice(i + 9, end)
      i = end + 3
    } else if (text.startsWith('<!', i)) {
      skipPast('>', 'declaration')
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i)
      if (end < 0) throw new XmlError('unterminated end tag', i)
      const name = text.slice(i + 2, end).trim()
      const open = stack.pop()
      if (!open || open.name !== name) {
        throw new XmlError(`</${name}> does not close <${open?.name ?? 'nothing'}>`, i)
      }
      i = end + 1
    } else {
      NAME.lastIndex = i + 1
      const name = NAME.exec(text)?.[0]
      if (!name) throw new XmlError('a tag without a name', i)
      i = NAME.lastIndex
      const element: XmlElement = { name, attrs: {}, children: [], text: '' }
      for (;;) {
        ATTRIBUTE.lastIndex = i
        const attr = ATTRIBUTE.exec(text)
        if (!attr) break
        // XML turns literal line breaks and tabs in an attribute into spaces; &#10; stays a newline.
        element.attrs[attr[1]] = decodeEntities(
          (attr[2] ?? attr[3] ?? '').replace(/[\t\n\r]/g, ' ')
        )
        i = ATTRIBUTE.lastIndex
      }
      TAG_END.lastIndex = i
      const end = TAG_END.exec(text)
      if (!end) throw new XmlError(`malformed tag <${name}>`, i)
      i = TAG_END.lastIndex
      if (stack.length > 0) stack[stack.length - 1].children.push(element)
      else if (root) throw new XmlError('a second root element', i)
      else root = element
      if (end[1] !== '/') stack.push(element)
    }
  }
  if (stack.length > 0) throw new XmlError(`<${stack[stack.length - 1].name}> is never closed`, i)
  if (!root) throw new XmlError('no root element', 0)
  return root
}
