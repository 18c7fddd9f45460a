// Notifications read with raw SQL come back under the names the Prisma model uses: every scalar field of
// the generated model, from its column, the field's name in snake case (as each @map of the model has it;
// test/notifications/rows.test.ts reads them back against Prisma's own reads).
import { Prisma } from '../generated/prisma/client.js';

const columnOf = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

export const NOTIFICATION_COLUMNS = Prisma.raw(
  Object.values(Prisma.NotificationScalarFieldEnum)
    .map((field) => `n.${columnOf(field)} AS "${field}"`)
    .join(', '),
);
