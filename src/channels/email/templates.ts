// The email of each event type, per locale: a subject, a plain-text body and an HTML body. Eta escapes
// every `<%= %>` in HTML (autoEscape), so user data cannot become markup; subjects and text are not HTML
// and are rendered unescaped. An event type without a template of its own is sent in the generic one,
// which says what the notification in the app says (its title and message, rendered by the event type).
import { Eta, type TemplateFunction } from 'eta';
import { pickLocale as pick } from '../locales.js';

export interface EmailTemplate {
  subject: string;
  text: string;
  /** The body's HTML, placed inside the shared layout. */
  html: string;
}

export interface TemplateData {
  title: string;
  message: string;
  /** The event's data, as the producer sent it (validated). */
  data: Record<string, unknown>;
  /** An absolute link to what the notification is about, when it has one. */
  actionUrl: string | null;
  unsubscribeUrl: string;
  category: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** The locale the email was written in. */
  locale: string;
}

const GENERIC: Record<string, EmailTemplate> = {
  en: {
    subject: '<%= it.title %>',
    text: '<%= it.message %>\n<% if (it.actionUrl) { %>\nOpen: <%= it.actionUrl %>\n<% } %>',
    html:
      '<h1><%= it.title %></h1>\n<p><%= it.message %></p>\n' +
      '<% if (it.actionUrl) { %><p><a href="<%= it.actionUrl %>">Open</a></p><% } %>',
  },
  fr: {
    subject: '<%= it.title %>',
    text: '<%= it.message %>\n<% if (it.actionUrl) { %>\nOuvrir : <%= it.actionUrl %>\n<% } %>',
    html:
      '<h1><%= it.title %></h1>\n<p><%= it.message %></p>\n' +
      '<% if (it.actionUrl) { %><p><a href="<%= it.actionUrl %>">Ouvrir</a></p><% } %>',
  },
};

/** Templates of their own, by event type then locale. */
const BY_EVENT_TYPE: Record<string, Record<string, EmailTemplate>> = {
  'transcription.completed': {
    en: {
      subject: 'Your transcription "<%= it.data.sessionTitle %>" is ready',
      text:
        'Your transcription "<%= it.data.sessionTitle %>" is ready to view (<%= it.data.segmentsCount %> segments).\n' +
        '<% if (it.actionUrl) { %>\nOpen it: <%= it.actionUrl %>\n<% } %>',
      html:
        '<h1>Your transcription is ready</h1>\n' +
        '<p>"<%= it.data.sessionTitle %>" is ready to view (<%= it.data.segmentsCount %> segments).</p>\n' +
        '<% if (it.actionUrl) { %><p><a href="<%= it.actionUrl %>">Open it</a></p><% } %>',
    },
    fr: {
      subject: 'Votre transcription « <%= it.data.sessionTitle %> » est prête',
      text:
        'Votre transcription « <%= it.data.sessionTitle %> » est prête (<%= it.data.segmentsCount %> segments).\n' +
        '<% if (it.actionUrl) { %>\nL’ouvrir : <%= it.actionUrl %>\n<% } %>',
      html:
        '<h1>Votre transcription est prête</h1>\n' +
        '<p>« <%= it.data.sessionTitle %> » est prête (<%= it.data.segmentsCount %> segments).</p>\n' +
        '<% if (it.actionUrl) { %><p><a href="<%= it.actionUrl %>">L’ouvrir</a></p><% } %>',
    },
  },
  'system.warning': {
    fr: {
      subject: '<%= it.data.title ?? "Avertissement" %>',
      text: '<%= it.data.message %>',
      html: '<h1><%= it.data.title ?? "Avertissement" %></h1>\n<p><%= it.data.message %></p>',
    },
  },
};

const LAYOUT: Record<string, string> = {
  en:
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title><%= it.subject %></title></head>\n<body>\n<%~ it.body %>\n' +
    '<hr><p style="font-size:12px;color:#666">You get this because email is on for "<%= it.category %>". ' +
    '<a href="<%= it.unsubscribeUrl %>">Stop these emails</a></p>\n</body></html>\n',
  fr:
    '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8"><title><%= it.subject %></title></head>\n<body>\n<%~ it.body %>\n' +
    '<hr><p style="font-size:12px;color:#666">Vous recevez ceci car l’email est activé pour « <%= it.category %> ». ' +
    '<a href="<%= it.unsubscribeUrl %>">Ne plus recevoir ces emails</a></p>\n</body></html>\n',
};

const TEXT_FOOTER: Record<string, string> = {
  en: '\n--\nStop these emails: <%= it.unsubscribeUrl %>\n',
  fr: '\n--\nNe plus recevoir ces emails : <%= it.unsubscribeUrl %>\n',
};

/** An Eta instance whose templates are compiled once each. */
function engine(autoEscape: boolean) {
  const eta = new Eta({ autoEscape, autoTrim: false });
  const compiled = new Map<string, TemplateFunction>();
  return {
    renderString(template: string, data: object): string {
      let render = compiled.get(template);
      if (!render) {
        render = eta.compile(template);
        compiled.set(template, render);
      }
      return render.call(eta, data);
    },
  };
}

const html = engine(true);
const plain = engine(false);

/** The email of `eventType` (null: a producer's own notification) in the recipient's locale, or English. */
export function renderEmail(eventType: string | null, locale: string | null, data: TemplateData): RenderedEmail {
  const [chosen, template] = pick(eventType ? BY_EVENT_TYPE[eventType] : undefined, locale) ?? pick(GENERIC, locale)!;
  const subject = plain.renderString(template.subject, data).replace(/\s+/g, ' ').trim();
  const body = html.renderString(template.html, data);
  return {
    subject,
    text: plain.renderString(template.text, data).trimEnd() + plain.renderString(TEXT_FOOTER[chosen]!, data),
    html: html.renderString(LAYOUT[chosen]!, { ...data, subject, body }),
    locale: chosen,
  };
}

/** The event types with templates of their own, and their locales (for tests and docs). */
export const templateLocales = (): Record<string, string[]> =>
  Object.fromEntries(Object.entries(BY_EVENT_TYPE).map(([name, byLocale]) => [name, Object.keys(byLocale)]));

export interface DigestItem {
  title: string;
  message: string;
  actionUrl: string | null;
}

export interface DigestData {
  items: DigestItem[];
  unsubscribeUrl: string;
  category: string;
}

const DIGEST: Record<string, EmailTemplate> = {
  en: {
    subject: '<%= it.items.length %> new notifications: <%= it.category %>',
    text:
      '<%= it.items.length %> new notifications about "<%= it.category %>":\n' +
      '<% for (const item of it.items) { %>\n- <%= item.title %>: <%= item.message %><% if (item.actionUrl) { %> (<%= item.actionUrl %>)<% } %><% } %>\n',
    html:
      '<h1><%= it.items.length %> new notifications about "<%= it.category %>"</h1>\n<ul>\n' +
      '<% for (const item of it.items) { %><li><strong><%= item.title %></strong>: <%= item.message %>' +
      '<% if (item.actionUrl) { %> <a href="<%= item.actionUrl %>">Open</a><% } %></li>\n<% } %></ul>',
  },
  fr: {
    subject: '<%= it.items.length %> nouvelles notifications : <%= it.category %>',
    text:
      '<%= it.items.length %> nouvelles notifications « <%= it.category %> » :\n' +
      '<% for (const item of it.items) { %>\n- <%= item.title %> : <%= item.message %><% if (item.actionUrl) { %> (<%= item.actionUrl %>)<% } %><% } %>\n',
    html:
      '<h1><%= it.items.length %> nouvelles notifications « <%= it.category %> »</h1>\n<ul>\n' +
      '<% for (const item of it.items) { %><li><strong><%= item.title %></strong> : <%= item.message %>' +
      '<% if (item.actionUrl) { %> <a href="<%= item.actionUrl %>">Ouvrir</a><% } %></li>\n<% } %></ul>',
  },
};

/** One email listing every item of a digest, in the recipient's locale, or English; escaped as the others. */
export function renderDigestEmail(locale: string | null, data: DigestData): RenderedEmail {
  const [chosen, template] = pick(DIGEST, locale)!;
  const subject = plain.renderString(template.subject, data).replace(/\s+/g, ' ').trim();
  const body = html.renderString(template.html, data);
  return {
    subject,
    text: plain.renderString(template.text, data).trimEnd() + plain.renderString(TEXT_FOOTER[chosen]!, data),
    html: html.renderString(LAYOUT[chosen]!, { ...data, subject, body }),
    locale: chosen,
  };
}
