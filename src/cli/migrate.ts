// `npm run db:migrate`: applies pending migrations to DATABASE_URL, offline; safe to run twice or at once.
import { ConfigError, loadConfig } from '../config.js';
import { applyMigrations } from '../db/migrations.js';

try {
  const { database } = loadConfig();
  if (!database.url)
    throw new ConfigError('DATABASE_URL is required to migrate (npm start migrates its embedded database itself)');
  const applied = await applyMigrations(database.url);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply: the database is up to date');
  // The schema engine leaves a 10-second timer behind; nothing else is pending.
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
