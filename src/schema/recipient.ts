// How to reach a user outside the app: services set and read it; a user reads their own.
import type { Recipient } from '../generated/prisma/client.js';
import { builder } from './builder.js';

const RecipientRef = builder.objectRef<Recipient>('Recipient').implement({
  description: 'How to reach a user outside the app. A user without an email address gets no email.',
  fields: (t) => ({
    userId: t.exposeString('userId'),
    email: t.exposeString('email', { nullable: true }),
    locale: t.exposeString('locale', {
      nullable: true,
      description: 'A BCP 47 tag such as "fr" or "en-GB"; emails fall back to English.',
    }),
    timeZone: t.exposeString('timeZone', { nullable: true, description: 'An IANA time zone, e.g. "Europe/Paris".' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const UpsertRecipientInput = builder.inputType('UpsertRecipientInput', {
  fields: (t) => ({
    userId: t.string({ required: true }),
    email: t.string({ description: 'Null or absent: none; the user gets no email.' }),
    locale: t.string(),
    timeZone: t.string(),
  }),
});

builder.mutationField('upsertRecipient', (t) =>
  t.field({
    type: RecipientRef,
    description: "Sets how to reach a user (service tokens only); replaces the user's whole profile.",
    authScopes: { service: true },
    args: { input: t.arg({ type: UpsertRecipientInput, required: true }) },
    resolve: (_root, { input }, { services }) => services.recipients.upsert(input),
  }),
);

builder.queryFields((t) => ({
  recipient: t.field({
    type: RecipientRef,
    nullable: true,
    description: "A user's profile, as services set it (service tokens only); null when none was set.",
    authScopes: { service: true },
    args: { userId: t.arg.string({ required: true }) },
    resolve: (_root, { userId }, { services }) => services.recipients.get(userId),
  }),
  myRecipientProfile: t.field({
    type: RecipientRef,
    nullable: true,
    description: 'How the caller is reached outside the app; null when no service has said.',
    resolve: (_root, _args, { viewer, services }) => services.recipients.get(viewer.userId),
  }),
}));
