/**
 * Values an env file must carry unchanged: each is something Compose v1 or v2
 * reads specially when written bare (expansions, comments, quotes, escapes,
 * spaces, several lines).
 */
export const PEM_KEY = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'QyNTUxOQAAACDk1ZRxQyK7Y1c7T7m2Q9vBfH3n6yq0ZxW4bN8dK2jQ==',
  '-----END OPENSSH PRIVATE KEY-----',
  ''
].join('\n')

export const HOSTILE_VALUES: ReadonlyArray<[string, string]> = [
  ['DOLLAR_WORD', 'pa$word'],
  ['DOLLAR_VAR', '$HOME'],
  ['BRACED_HOME', '${HOME}'],
  ['BRACED_DEFAULT', '${UNSET_VAR:-x}'],
  ['DOUBLE_DOLLAR', 'a$$b'],
  ['TRAILING_DOLLAR', 'cost 5$'],
  ['HASH', 'a#b'],
  ['SPACE_HASH', 'a #b'],
  ['VALUE_NOTE', 'value #note'],
  ['LEADING_HASH', '#not-a-comment'],
  ['DOUBLE_QUOTES', 'say "hi"'],
  ['SINGLE_QUOTES', "it's 'quoted'"],
  ['SHELL_QUOTE', "a'\\''b"],
  ['ONLY_QUOTE', '"'],
  ['BACKSLASHES', 'C:\\new\\table\\\\share'],
  ['BACKSLASH_QUOTE', 'a\\"b\\\'c'],
  ['TRAILING_BACKSLASH', 'ends with \\'],
  ['SPACES', '  leading and trailing  '],
  ['EQUALS', '='],
  ['EQUALS_CHAIN', 'a=b=c'],
  ['NON_ASCII', 'é 日本語 🚀'],
  ['TABS', '\tcol1\tcol2\t'],
  ['BACKTICKS', '`id`'],
  ['COMMAND_SUBSTITUTION', '$(id)'],
  ['ESCAPE_LETTERS', '\\n\\t\\$x\\u00e9'],
  ['EXPANSION_LOOKALIKE', '${=:-$}{x}${=}'],
  ['PEM_KEY', PEM_KEY]
]
