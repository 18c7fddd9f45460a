// The secret the command lines sign their tokens with: the server's JWT_SECRET, or in development the one
// `npm start` keeps (src/dev/dev-secret.ts), so that they work with no configuration.
import type { CliConfig } from '../config.js';
import { readDevSecret } from '../dev/dev-secret.js';
import { CliError } from './api-client.js';

export interface SigningSecret {
  secret: string;
  /** Where it came from, in words. */
  source: string;
}

export async function signingSecret({ jwt }: CliConfig): Promise<SigningSecret> {
  if (jwt.secret) return { secret: jwt.secret, source: 'JWT_SECRET' };
  const secret = await readDevSecret(jwt.devSecretFile);
  if (!secret) {
    throw new CliError(
      `no JWT_SECRET, and no development secret in ${jwt.devSecretFile}: start the server once with npm start, ` +
        "or set JWT_SECRET to the server's",
    );
  }
  return { secret, source: `the development secret in ${jwt.devSecretFile}` };
}
