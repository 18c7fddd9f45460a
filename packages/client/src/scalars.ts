// The API's custom scalars as they travel in JSON, for codegen's `scalars` setting (../codegen.ts; a frontend's
// own codegen config points at these too: docs/frontend.md).

/** `DateTime`: an ISO 8601 date-time string in UTC, e.g. `"2026-01-12T22:58:19.123Z"`. */
export type DateTimeString = string;

/** `JSON`: any JSON value (a notification's `metadata`, an event's `data`). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
