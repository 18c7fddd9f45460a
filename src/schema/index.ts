// Imports every part of the schema, then builds it. Nothing else belongs here.
import { builder } from './builder.js';
import './scalars.js';
import './notification-enums.js';
import './filter.js';
import './counts.js';
import './notification.js';
import './inbox-actions.js';
import './producers.js';
import './preferences.js';
import './recipient.js';
import './delivery.js';
import './push.js';
import './unread-count.js';
import './notification-event.js';
import './subscriptions.js';

export const schema = builder.toSchema();
