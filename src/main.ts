// The process: read the configuration, start the server, stop it in order on SIGTERM or SIGINT.
// Only the configuration (zod) is imported up front: a bad setting is reported before the heavy modules load
// (GraphQL, Prisma, Redis…), which are imported once it is known to be good.
import path from 'node:path';
import { type Config, ConfigError, loadCliConfig, loadConfig } from './config.js';
import { DEMO_PATH, DEV_OUTBOX_PATH } from './http/paths.js';
import { StartupError } from './startup-error.js';

const DEV_USER = 'dev-user';

const shellQuote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);

/** The settings a command line would not guess to reach this server, as `NAME=value` words to type first. */
function cliSettings(url: string | undefined, jwt: Config['jwt']): string[] {
  const defaults = loadCliConfig({});
  return Object.entries({
    API_URL: url === undefined || url === defaults.apiUrl ? undefined : url,
    DEV_JWT_SECRET_FILE: jwt.devSecretFile === defaults.jwt.devSecretFile ? undefined : path.resolve(jwt.devSecretFile),
    JWT_ISSUER: jwt.issuer,
    JWT_AUDIENCE: jwt.audience,
  }).flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${shellQuote(value)}`]));
}

/** `npm run notify` as it must be typed to reach this server. */
function notifyCommand(url: string, jwt: Config['jwt']): string {
  const data = JSON.stringify({ message: 'Hello' });
  return [
    ...cliSettings(url, jwt),
    'npm run notify --',
    'system.warning',
    '--user',
    DEV_USER,
    '--data',
    shellQuote(data),
  ].join(' ');
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const [{ createLogger }, { startServer }, { signToken }] = await Promise.all([
  import('./logger.js'),
  import('./server.js'),
  import('./sign-token.js'),
]);
const logger = createLogger(config.logLevel);

// In development with no key configured, use the secret kept for development (made on the first start)
// and hand out a ready token.
const devSecret =
  config.env === 'development' && !config.jwt.secret && !config.jwt.jwksUrl
    ? await import('./dev/dev-secret.js').then(({ DevSecretError, loadOrCreateDevSecret }) =>
        loadOrCreateDevSecret(config.jwt.devSecretFile).catch((error: unknown) => {
          console.error(error instanceof DevSecretError ? error.message : `cannot keep a development secret: ${error}`);
          process.exit(1);
        }),
      )
    : undefined;
if (devSecret) config = { ...config, jwt: { ...config.jwt, secret: devSecret } };
const signDevToken = (secret: string) =>
  signToken(secret, {
    sub: DEV_USER,
    roles: ['service'],
    ttl: 12 * 3600,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
const devToken = devSecret ? await signDevToken(devSecret) : undefined;

// In development with no VAPID keys configured, push runs with a key pair made on the first start and kept
// beside the development secret.
if (config.env === 'development' && !config.delivery.push) {
  const file = path.join(path.dirname(config.jwt.devSecretFile), 'dev-vapid-keys.json');
  const keys = await import('./dev/dev-vapid-keys.js').then(({ DevVapidKeysError, loadOrCreateDevVapidKeys }) =>
    loadOrCreateDevVapidKeys(file).catch((error: unknown) => {
      console.error(
        error instanceof DevVapidKeysError ? error.message : `cannot keep development VAPID keys: ${error}`,
      );
      process.exit(1);
    }),
  );
  const { subject, timeoutMs } = config.delivery.devPush;
  config = { ...config, delivery: { ...config.delivery, push: { vapid: { ...keys, subject }, timeoutMs } } };
}

const server = await startServer(config, logger, {
  graphiqlHeaders: devToken ? { Authorization: `Bearer ${devToken}` } : undefined,
  // Each GraphiQL page load signs a new one: tabs kept in the browser stay usable past the first token's 12 hours.
  freshGraphiqlHeaders: devSecret
    ? async () => ({ Authorization: `Bearer ${await signDevToken(devSecret)}` })
    : undefined,
  devRecipient: devToken ? DEV_USER : undefined,
}).catch((error: unknown) => {
  // A known cause is one plain line, as a bad setting is; anything else keeps its stack, but says what it was.
  if (error instanceof StartupError) console.error(error.message);
  else logger.fatal({ err: error }, `could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

// Whatever happens, the process is gone this long after the first signal.
const STOP_DEADLINE_MS = 14_000;
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // `on`, not `once`: a second signal while stopping must not fall through to the default (exit at once).
  process.on(signal, () => {
    if (stopping) return logger.info({ signal }, 'already stopping');
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.error(server.stopSteps(), 'stop deadline passed; exiting anyway');
      server.stopNow();
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  });
}
if (devToken) {
  console.log(
    [
      '',
      `  GraphiQL:  ${server.url}/graphql   (the token below is already in its headers)`,
      ...(config.demo ? [`  Demo:      ${server.url}${DEMO_PATH}#token=${devToken}`] : []),
      `  Dev token: ${devToken}`,
      `             user "${DEV_USER}", roles ["service"], valid 12 hours, signed with the development secret in ${config.jwt.devSecretFile}`,
      `  Send one:  ${notifyCommand(server.url, config.jwt)}`,
      ...(config.delivery.devOutbox
        ? [
            `  Outbox:    ${server.url}${DEV_OUTBOX_PATH}   (every email sent; ${DEV_USER}'s goes to ${DEV_USER}@outbox.localhost)`,
          ]
        : []),
      `  A user:    ${[...cliSettings(undefined, config.jwt), 'npm run -s token -- --user alice'].join(' ')}   (a plain user's token, for a frontend)`,
      '',
    ].join('\n'),
  );
}
// Last, once everything above is in place: tools wait for this line.
logger.info({ url: server.url, port: server.port }, 'listening');
