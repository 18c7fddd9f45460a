// In development with no key configured, tokens are signed and verified with a secret made on the first
// start and kept in a file (owner-only, in the data folder git ignores): it survives restarts, so dev
// tokens keep working, and `npm run notify` signs its service token with it without any configuration.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MIN_LENGTH = 32;

export class DevSecretError extends Error {
  override name = 'DevSecretError';
}

/** The secret kept in `file`, or undefined when there is no such file. */
export async function readDevSecret(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = text.trim();
  if (secret.length < MIN_LENGTH) {
    throw new DevSecretError(
      `${file} holds no usable development secret (at least ${MIN_LENGTH} characters); delete it to make a new one`,
    );
  }
  return secret;
}

/** The secret kept in `file`, made (256 random bits, mode 0600) when there is none yet. */
export async function loadOrCreateDevSecret(file: string): Promise<string> {
  const existing = await readDevSecret(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    // `wx`: of two processes starting at once, one writes and the other reads what it wrote.
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readDevSecret(file)) ?? secret;
  }
}
