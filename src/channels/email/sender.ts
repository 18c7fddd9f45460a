// Sends one delivery's email over SMTP (nodemailer, pooled connections), with the headers a mailbox
// provider expects of a notification: List-Unsubscribe with its one-click POST (RFC 8058), and a
// Message-ID made from the delivery's id, so that a resend after a crash is recognisable.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Notification, Recipient } from '../../generated/prisma/client.js';
import { renderDigestEmail, renderEmail } from './templates.js';
import { UNSUBSCRIBE_PATH, type UnsubscribeTokens } from './unsubscribe.js';

export interface EmailSenderOptions {
  smtpUrl: string;
  from: string;
  /** Where unsubscribe links and relative action links point (the server's public URL). */
  publicUrl: () => string;
  tokens: UnsubscribeTokens;
  /** How long to wait for the SMTP server at each step. */
  timeoutMs?: number;
}

export interface OutgoingDigest {
  /** The first item's delivery: the digest's Message-ID is made from it, the same on every attempt. */
  deliveryId: string;
  userId: string;
  category: string | null;
  recipient: Recipient & { email: string };
  items: Notification[];
}

export interface OutgoingEmail {
  deliveryId: string;
  notification: Notification;
  recipient: Recipient & { email: string };
  data: unknown;
}

const addressDomain = (from: string) => /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';

export class EmailSender {
  private readonly transport: Transporter;
  private readonly domain: string;

  constructor(private readonly options: EmailSenderOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    this.transport = nodemailer.createTransport({
      url: options.smtpUrl,
      pool: true,
      maxConnections: 5,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    this.domain = addressDomain(options.from);
  }

  /** The Message-ID of a delivery's email, the same on every attempt. */
  messageId(deliveryId: string): string {
    return `<delivery-${deliveryId}@${this.domain}>`;
  }

  /** Sends one email listing every item; throws as send does. */
  async sendDigest({ deliveryId, userId, category: given, recipient, items }: OutgoingDigest): Promise<string> {
    const base = this.options.publicUrl();
    const category = given ?? 'general';
    const token = await this.options.tokens.sign({ userId, category });
    const unsubscribeUrl = `${base}${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`;
    const email = renderDigestEmail(recipient.locale, {
      category,
      unsubscribeUrl,
      items: items.map((n) => ({
        title: n.title,
        message: n.message,
        actionUrl: absoluteLink((n.metadata as { actionUrl?: unknown } | null)?.actionUrl, base),
      })),
    });
    const messageId = `<digest-${deliveryId}@${this.domain}>`;
    await this.transport.sendMail({
      from: this.options.from,
      to: recipient.email,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId,
      headers: {
        'Content-Language': email.locale,
        'X-Notification-Ids': items.map((n) => n.id).join(' '),
        'List-Unsubscribe': `<${unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    return messageId;
  }

  /** Sends it; throws nodemailer's error (with the SMTP reply code) when the server refuses or cannot be reached. */
  async send({ deliveryId, notification, recipient, data }: OutgoingEmail): Promise<string> {
    const base = this.options.publicUrl();
    const category = notification.category ?? 'general';
    const token = await this.options.tokens.sign({ userId: notification.userId, category });
    const unsubscribeUrl = `${base}${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token)}`;
    const email = renderEmail(notification.eventType, recipient.locale, {
      title: notification.title,
      message: notification.message,
      data: (data ?? {}) as Record<string, unknown>,
      actionUrl: absoluteLink((notification.metadata as { actionUrl?: unknown } | null)?.actionUrl, base),
      unsubscribeUrl,
      category,
    });
    const messageId = this.messageId(deliveryId);
    await this.transport.sendMail({
      from: this.options.from,
      to: recipient.email,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId,
      headers: {
        'Content-Language': email.locale,
        'X-Notification-Id': notification.id,
        'List-Unsubscribe': `<${unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    return messageId;
  }

  close(): void {
    this.transport.close();
  }
}

/** A link safe to put in an email: http(s) as given, or a path of this server; anything else is dropped. */
function absoluteLink(value: unknown, base: string): string | null {
  if (typeof value !== 'string' || !value) return null;
  try {
    const url = new URL(value, `${base}/`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
