// The process: read the configuration, start the server, stop it in order on SIGTERM or SIGINT.
import { signToken } from './auth.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { DevSecretError, loadOrCreateDevSecret } from './dev-secret.js';
import { DEMO_PATH } from './http/paths.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

const DEV_USER = 'dev-user';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger(config.logLevel);

// In development with no key configured, use the secret kept for development (made on the first start)
// and hand out a ready token.
const devSecret =
  config.env === 'development' && !config.jwt.secret && !config.jwt.jwksUrl
    ? await loadOrCreateDevSecret(config.jwt.devSecretFile).catch((error: unknown) => {
        console.error(error instanceof DevSecretError ? error.message : `cannot keep a development secret: ${error}`);
        process.exit(1);
      })
    : undefined;
if (devSecret) config = { ...config, jwt: { ...config.jwt, secret: devSecret } };
const devToken = devSecret
  ? await signToken(devSecret, {
      sub: DEV_USER,
      roles: ['service'],
      ttl: 12 * 3600,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    })
  : undefined;

const server = await startServer(config, logger, {
  graphiqlHeaders: devToken ? { Authorization: `Bearer ${devToken}` } : undefined,
}).catch((error: unknown) => {
  logger.fatal({ err: error }, 'could not start');
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
      logger.error('stop deadline passed; exiting anyway');
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
      `  Send one:  npm run notify -- system.warning --user ${DEV_USER} --data '{"message":"Hello"}'`,
      '',
    ].join('\n'),
  );
}
// Last, once everything above is in place: tools wait for this line.
logger.info({ url: server.url, port: server.port }, 'listening');
