// NOTIFICATION_COLUMNS, the columns raw SQL reads a notification with, against the table and Prisma's reads.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../src/db.js';
import type { Notification } from '../../src/generated/prisma/client.js';
import { NOTIFICATION_COLUMNS } from '../../src/notifications/rows.js';

const db = createDatabase(inject('databaseUrl'), 1);
afterAll(() => db.$disconnect());

describe('NOTIFICATION_COLUMNS', () => {
  it('should read every column of the notifications table', async () => {
    const table = await db.$queryRaw<Array<{ column_name: string }>>`
      SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'notifications'`;
    const read = [...NOTIFICATION_COLUMNS.sql.matchAll(/\bn\.(\w+) AS /g)].map((match) => match[1]);
    expect(read.sort()).toEqual(table.map(({ column_name }) => column_name).sort());
  });

  it('should read a notification with every field set exactly as Prisma reads it', async () => {
    const at = (minutes: number) => new Date(Date.UTC(2030, 0, 1, 0, minutes));
    const created = await db.notification.create({
      data: {
        id: randomUUID(),
        userId: `rows-${randomUUID()}`,
        title: 'Title',
        message: 'Message',
        type: 'WARNING',
        status: 'ARCHIVED',
        metadata: { nested: { list: [1, 'two', null] } },
        relatedSessionId: 'session',
        idempotencyKey: 'key',
        category: 'billing',
        eventType: 'invoice.paid',
        collapseKey: 'invoice',
        position: 7n,
        createdAt: at(1),
        readAt: at(2),
        seenAt: at(3),
        archivedAt: at(4),
        snoozedUntil: at(5),
        expiresAt: at(6),
        sendAt: at(7),
        priority: 'HIGH',
      },
    });
    expect(Object.values(created)).not.toContain(null);
    const [read] = await db.$queryRaw<Notification[]>`
      SELECT ${NOTIFICATION_COLUMNS} FROM notifications AS n WHERE n.id = ${created.id}::uuid`;
    expect(read).toStrictEqual(created);
  });
});
