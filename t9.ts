import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './src/generated/prisma/client.js';
import { NotificationService } from './src/notifications/service.js';

const db = new PrismaClient({
  adapter: new PrismaPg({ connectionString: 'postgresql://postgres@127.0.0.1:5432/scratch_abort' }),
  log: [{ emit: 'event', level: 'query' }],
});
const queries: string[] = [];
(db as any).$on('query', (e: any) => queries.push(e.query + ' -- ' + e.params));
const service = new NotificationService(db as any, { publish() {} } as any);
const deepCursor = (
  await db.$queryRawUnsafe<any[]>(`SELECT id FROM notifications WHERE user_id='deep' ORDER BY id ASC LIMIT 1 OFFSET 25`)
)[0].id;
for (const after of [undefined, deepCursor]) {
  const t = performance.now();
  const page = await service.list('deep', { first: 20, after });
  const n = page.nodes.length;
  const total = await page.totalCount();
  console.log('after', after, n, total, (performance.now() - t).toFixed(1), 'ms');
}
console.log(queries.join('\n'));
process.exit(0);
