// Which of a channel's templates fits a recipient's locale: the locale itself, then its language, then English.

export const FALLBACK_LOCALE = 'en';

/** The locales to try for `locale`, most specific first, English last: "fr-CA" → fr-ca, fr, en. */
function candidates(locale: string | null): string[] {
  const tags = locale ? [locale, locale.split('-')[0]!] : [];
  return [...new Set([...tags.map((tag) => tag.toLowerCase()), FALLBACK_LOCALE])];
}

/** The entry of `table` (keyed by locale) that fits `locale` best, with the locale it is for. */
export function pickLocale<T>(table: Record<string, T> | undefined, locale: string | null): [string, T] | undefined {
  if (!table) return undefined;
  const lower = Object.fromEntries(Object.entries(table).map(([key, value]) => [key.toLowerCase(), value]));
  for (const candidate of candidates(locale)) if (lower[candidate]) return [candidate, lower[candidate]];
  return undefined;
}
