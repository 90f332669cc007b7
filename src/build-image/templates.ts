/**
 * The small part of Handlebars that docker/metadata-action's patterns use:
 * `{{name}}`, `{{ name }}`, `{{{name}}}` and helpers with quoted arguments,
 * `{{date 'YYYYMMDD' tz='Asia/Tokyo'}}`. As in Handlebars, `{{…}}` escapes
 * HTML characters and an unknown name renders as nothing.
 */

export type TemplateValue =
  string | number | ((args: string[], hash: Record<string, string>) => string)

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;'
}

function escapeExpression(text: string): string {
  return text.replace(/[&<>"'`=]/g, c => HTML_ESCAPES[c])
}

const MUSTACHE =
  /\{\{(\{)?\s*([A-Za-z_][A-Za-z0-9_]*)((?:\s+(?:[A-Za-z_]+=)?(?:'[^']*'|"[^"]*"))*)\s*(\})?\}\}/g
const ARG = /\s+(?:([A-Za-z_]+)=)?(?:'([^']*)'|"([^"]*)")/g

export function renderTemplate(template: string, values: Record<string, TemplateValue>): string {
  return template.replace(
    MUSTACHE,
    (_all, open: string | undefined, name: string, rest: string, close: string | undefined) => {
      const args: string[] = []
      const hash: Record<string, string> = {}
      for (const m of rest.matchAll(ARG)) {
        const value = m[2] ?? m[3] ?? ''
        if (m[1]) hash[m[1]] = value
        else args.push(value)
      }
      const value = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined
      const text =
        value === undefined ? '' : typeof value === 'function' ? value(args, hash) : String(value)
      return open && close ? text : escapeExpression(text)
    }
  )
}

/** True when the pattern is `{{raw}}` alone (metadata-action keeps a pre-release's raw tag then). */
export function isRawStatement(pattern: string): boolean {
  return /^\{\{\{?\s*raw\s*\}?\}\}$/.test(pattern)
}

/** Date parts as they read in a time zone (`UTC` unless given). */
function partsIn(date: Date, timeZone: string): Record<string, string> {
  let format: Intl.DateTimeFormat
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit'
    })
  } catch {
    throw new Error(`${JSON.stringify(timeZone)} is not a time zone`)
  }
  const parts: Record<string, string> = {}
  for (const p of format.formatToParts(date)) parts[p.type] = p.value
  parts.ms = String(date.getUTCMilliseconds()).padStart(3, '0')
  return parts
}

const DATE_TOKEN = /\[([^\]]*)\]|YYYY|YY|MM|M|DD|D|HH|H|hh|h|mm|m|ss|s|SSS|A|a/g

/** Moment.js's format tokens metadata-action's `{{date}}` documents (YYYY MM DD HH mm ss …, `[text]`). */
export function formatDate(date: Date, format: string, timeZone = 'UTC'): string {
  const p = partsIn(date, timeZone)
  const hour = Number(p.hour)
  const h12 = hour % 12 === 0 ? 12 : hour % 12
  return format.replace(DATE_TOKEN, (token: string, literal: string | undefined) => {
    if (literal !== undefined) return literal
    switch (token) {
      case 'YYYY':
        return p.year
      case 'YY':
        return p.year.slice(-2)
      case 'MM':
        return p.month
      case 'M':
        return String(Number(p.month))
      case 'DD':
        return p.day
      case 'D':
        return String(Number(p.day))
      case 'HH':
        return p.hour
      case 'H':
        return String(hour)
      case 'hh':
        return String(h12).padStart(2, '0')
      case 'h':
        return String(h12)
      case 'mm':
        return p.minute
      case 'm':
        return String(Number(p.minute))
      case 'ss':
        return p.second
      case 's':
        return String(Number(p.second))
      case 'SSS':
        return p.ms
      case 'A':
        return hour < 12 ? 'AM' : 'PM'
      default:
        return hour < 12 ? 'am' : 'pm'
    }
  })
}

/** The `date`/`commit_date` helper: one format argument and an optional `tz`. */
export function dateHelper(date: Date | undefined, name: string): TemplateValue {
  return (args, hash) => {
    for (const key of Object.keys(hash)) {
      if (key !== 'tz') throw new Error(`Unknown ${key} attribute of {{${name}}}`)
    }
    if (!date) throw new Error(`{{${name}}} has no date in this event`)
    return formatDate(date, args[0] ?? '', hash.tz ?? 'UTC')
  }
}
