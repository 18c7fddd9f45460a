// The push of each event type, per locale: a title and a body, plain text (the device's notification shows
// them as text, nothing is markup). An event type without a template of its own is pushed with what the
// notification in the app says (its title and message, in English).
import { Eta, type TemplateFunction } from 'eta';
import { pickLocale } from '../locales.js';

export interface PushTemplate {
  title: string;
  body: string;
}

export interface PushTemplateData {
  title: string;
  message: string;
  /** The event's data, as the producer sent it (validated). */
  data: Record<string, unknown>;
}

export interface RenderedPush {
  title: string;
  body: string;
  /** The locale the push was written in. */
  locale: string;
}

/** Devices cut long notifications anyway; this keeps every payload well under the 4 KB push services take. */
const MAX_TITLE = 120;
const MAX_BODY = 500;

const GENERIC: Record<string, PushTemplate> = { en: { title: '<%= it.title %>', body: '<%= it.message %>' } };

/** Templates of their own, by event type then locale. */
const BY_EVENT_TYPE: Record<string, Record<string, PushTemplate>> = {
  'transcription.completed': {
    en: {
      title: 'Transcription ready',
      body: '"<%= it.data.sessionTitle %>" is ready to view (<%= it.data.segmentsCount %> segments).',
    },
    fr: {
      title: 'Transcription prête',
      body: '« <%= it.data.sessionTitle %> » est prête (<%= it.data.segmentsCount %> segments).',
    },
  },
  'transcription.failed': {
    en: {
      title: 'Transcription failed',
      body: '"<%= it.data.sessionTitle %>" could not be transcribed: <%= it.data.error %>',
    },
    fr: {
      title: 'Échec de la transcription',
      body: '« <%= it.data.sessionTitle %> » n’a pas pu être transcrite : <%= it.data.error %>',
    },
  },
  'system.warning': {
    fr: { title: '<%= it.data.title ?? "Avertissement" %>', body: '<%= it.data.message %>' },
  },
  'user.security_alert': {
    en: { title: 'Security alert', body: '<%= it.message %>' },
    fr: {
      title: 'Alerte de sécurité',
      body: '<%= it.data.event %>. Si ce n’était pas vous, changez votre mot de passe.',
    },
  },
};

const eta = new Eta({ autoEscape: false, autoTrim: false });
const compiled = new Map<string, TemplateFunction>();

function render(template: string, data: PushTemplateData): string {
  let fn = compiled.get(template);
  if (!fn) {
    fn = eta.compile(template);
    compiled.set(template, fn);
  }
  return fn.call(eta, data).replace(/\s+/g, ' ').trim();
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The push of `eventType` (null: a producer's own notification) in the recipient's locale, or English. */
export function renderPush(eventType: string | null, locale: string | null, data: PushTemplateData): RenderedPush {
  const [chosen, template] =
    pickLocale(eventType ? BY_EVENT_TYPE[eventType] : undefined, locale) ?? pickLocale(GENERIC, locale)!;
  return {
    title: cut(render(template.title, data), MAX_TITLE),
    body: cut(render(template.body, data), MAX_BODY),
    locale: chosen,
  };
}

/** The event types with push templates of their own, and their locales (for tests and docs). */
export const pushTemplateLocales = (): Record<string, string[]> =>
  Object.fromEntries(Object.entries(BY_EVENT_TYPE).map(([name, byLocale]) => [name, Object.keys(byLocale)]));
