// Inline icons (24×24, currentColor): no request, nothing for a Content-Security-Policy to refuse.
import { svg, type TemplateResult } from 'lit';

const icon = (body: TemplateResult) =>
  svg`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">${body}</svg>`;

export const bellIcon = icon(
  svg`<path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6v-5a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/>`,
);

/** One per notification type. */
export const typeIcons = {
  INFO: icon(
    svg`<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><path d="M12 11v6M12 7.5v.5" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>`,
  ),
  SUCCESS: icon(
    svg`<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><path d="m8 12.5 2.7 2.7L16.5 9.5" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>`,
  ),
  WARNING: icon(
    svg`<path d="M12 3.5 2.8 19.5h18.4Z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/><path d="M12 10v4.5M12 17.2v.3" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>`,
  ),
  ERROR: icon(
    svg`<path d="M8.3 3h7.4L21 8.3v7.4L15.7 21H8.3L3 15.7V8.3Z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/><path d="m9 9 6 6m0-6-6 6" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>`,
  ),
} as const;

/** The mark of a HIGH or URGENT notification: an exclamation mark in a flag. */
export const priorityIcon = svg`<svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false"><path d="M3 1.5v13" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/><path d="M3.8 2.2h9.4l-2.3 3.6 2.3 3.6H3.8Z" fill="currentColor"/></svg>`;

export const checkIcon = icon(
  svg`<path d="m5 12.5 4.5 4.5L19 7.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>`,
);
export const dotIcon = icon(svg`<circle cx="12" cy="12" r="5" fill="none" stroke="currentColor" stroke-width="2"/>`);
export const archiveIcon = icon(
  svg`<path d="M4 5h16v4H4ZM5.5 9v10h13V9M10 13h4" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`,
);
export const emptyIcon = svg`<svg viewBox="0 0 64 64" width="64" height="64" aria-hidden="true" focusable="false"><circle cx="32" cy="32" r="30" fill="currentColor" opacity=".12"/><path fill="currentColor" opacity=".55" d="M32 48a4 4 0 0 0 3.9-3.2h-7.8A4 4 0 0 0 32 48Zm11-9.6V30a11 11 0 0 0-8.6-10.8v-1a2.4 2.4 0 0 0-4.8 0v1A11 11 0 0 0 21 30v8.4L18 41.5V43h28v-1.5Z"/><path d="m40 18 3-3M44 24h4M23 15l-3-3" stroke="currentColor" stroke-width="2" stroke-linecap="round" opacity=".55"/></svg>`;
