/**
 * Why the server cannot start, in one line a person can act on (what is wrong and what to do). The process
 * prints its message alone, with no stack: the cause is known, so a stack would only bury it.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** `host:port` of a connection URL: enough to say which server, never its password. */
export function hostOf(url: string): string {
  try {
    const { hostname, port } = new URL(url);
    return port ? `${hostname}:${port}` : hostname;
  } catch {
    return 'the configured address';
  }
}
