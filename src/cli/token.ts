// `npm run token -- --user alice [--ttl <seconds>]`: prints a plain user's token (no roles), signed as the server
// verifies them: with JWT_SECRET, or in development with the secret `npm start` keeps. For a frontend in
// development (docs/frontend.md). The token alone goes to stdout, what it is to stderr; exit 1 on any error.
import { parseArgs } from 'node:util';
import { ConfigError, loadCliConfig } from '../config.js';
import { DevSecretError } from '../dev/dev-secret.js';
import { signToken } from '../sign-token.js';
import { CliError } from './api-client.js';
import { UsageError } from './arguments.js';
import { signingSecret } from './signing-secret.js';

const USAGE = 'usage: npm run token -- --user <id> [--ttl <seconds>]';
/** As long as the dev token `npm start` prints, and well within the server's bound on user tokens (24 h by default). */
const DEFAULT_TTL = 12 * 3600;

function parse(argv: string[]): { user: string; ttl: number } | 'help' {
  let values: { user?: string; ttl?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: { user: { type: 'string', short: 'u' }, ttl: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('. ')[0]!);
  }
  if (values.help) return 'help';
  if (!values.user) throw new UsageError(`which user? ${USAGE}`);
  const ttl = values.ttl === undefined ? DEFAULT_TTL : Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new UsageError('--ttl must be a whole number of seconds');
  return { user: values.user, ttl };
}

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
const duration = (seconds: number) =>
  seconds % 3600 === 0
    ? plural(seconds / 3600, 'hour')
    : seconds % 60 === 0
      ? plural(seconds / 60, 'minute')
      : plural(seconds, 'second');

try {
  const args = parse(process.argv.slice(2));
  if (args === 'help') {
    console.log(USAGE);
  } else {
    const config = loadCliConfig();
    const { secret, source } = await signingSecret(config);
    const token = await signToken(secret, {
      sub: args.user,
      roles: [],
      ttl: args.ttl,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    });
    console.log(token);
    const signedWith = config.jwt.secret ? '' : `, signed with ${source}`;
    console.error(`user "${args.user}", roles [], valid ${duration(args.ttl)}${signedWith}`);
  }
} catch (error) {
  const expected = [CliError, UsageError, ConfigError, DevSecretError].some((kind) => error instanceof kind);
  console.error(`token: ${expected ? (error as Error).message : `unexpected error: ${error}`}`);
  process.exitCode = 1;
}
