/** `manage.py collectstatic`, run inside the Django service with the interpreter it has. */
export function collectstaticArgv(
  python: string,
  opts: { clear: boolean; settings: string }
): string[] {
  return [
    python,
    'manage.py',
    'collectstatic',
    '--noinput',
    ...(opts.clear ? ['--clear'] : []),
    ...(opts.settings ? ['--settings', opts.settings] : [])
  ]
}
