// Notifications read with raw SQL come back under the names the Prisma model uses.
import { Prisma } from '../generated/prisma/client.js';

export const NOTIFICATION_COLUMNS = Prisma.raw(
  'n.id, n.user_id AS "userId", n.title, n.message, n.type::text AS type, n.status::text AS status, n.metadata, ' +
    'n.related_session_id AS "relatedSessionId", n.idempotency_key AS "idempotencyKey", n.category, ' +
    'n.event_type AS "eventType", n.collapse_key AS "collapseKey", n.position, n.created_at AS "createdAt", ' +
    'n.read_at AS "readAt", n.seen_at AS "seenAt", n.archived_at AS "archivedAt", n.snoozed_until AS "snoozedUntil", ' +
    'n.expires_at AS "expiresAt", n.updated_at AS "updatedAt"',
);
