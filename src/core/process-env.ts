/**
 * The runner's own environment with `extra` on top, for a program the action
 * starts on the runner. @actions/exec replaces the environment when given one,
 * so PATH, HOME, DOCKER_CONFIG and the like have to be carried over; unset
 * variables (undefined in process.env) are left out.
 */
export function processEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value
  return { ...env, ...extra }
}
