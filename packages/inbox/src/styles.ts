// The look of <notification-inbox>. Everything a page may want to change is a custom property with a default
// (--notification-inbox-*), and every region is a ::part, so a page themes it without reaching inside.
import { css } from 'lit';

export const inboxStyles = css`
  :host {
    --_accent: var(--notification-inbox-accent, #4f46e5);
    --_bg: var(--notification-inbox-background, #ffffff);
    --_fg: var(--notification-inbox-color, #111827);
    --_muted: var(--notification-inbox-muted-color, #4b5563);
    --_border: var(--notification-inbox-border-color, #e5e7eb);
    --_hover: var(--notification-inbox-hover-background, #f5f6fa);
    --_unread-bg: var(--notification-inbox-unread-background, #f5f7ff);
    --_badge-bg: var(--notification-inbox-badge-background, #dc2626);
    --_badge-fg: var(--notification-inbox-badge-color, #ffffff);
    --_radius: var(--notification-inbox-radius, 12px);
    --_width: var(--notification-inbox-width, 400px);
    --_height: var(--notification-inbox-max-height, 520px);
    --_info: var(--notification-inbox-info-color, #2563eb);
    --_success: var(--notification-inbox-success-color, #15803d);
    --_warning: var(--notification-inbox-warning-color, #b45309);
    --_error: var(--notification-inbox-error-color, #dc2626);
    --_priority: var(--notification-inbox-priority-color, #b91c1c);
    position: relative;
    display: inline-block;
    font: var(--notification-inbox-font, 400 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    color: var(--_fg);
  }
  button {
    font: inherit;
    color: inherit;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .bell {
    position: relative;
    display: grid;
    place-items: center;
    width: 40px;
    height: 40px;
    padding: 0;
    border: 0;
    border-radius: 50%;
    background: var(--notification-inbox-bell-background, transparent);
    color: var(--notification-inbox-bell-color, currentColor);
    cursor: pointer;
  }
  .bell:hover,
  .bell[aria-expanded='true'] {
    background: var(--notification-inbox-bell-hover-background, rgb(127 127 127 / 0.16));
  }
  .bell svg {
    width: 24px;
    height: 24px;
  }
  .badge {
    position: absolute;
    top: 2px;
    right: 0;
    min-width: 18px;
    height: 18px;
    padding: 0 5px;
    box-sizing: border-box;
    border-radius: 9px;
    border: 2px solid var(--notification-inbox-badge-ring, #ffffff);
    background: var(--_badge-bg);
    color: var(--_badge-fg);
    font-size: 11px;
    font-weight: 700;
    line-height: 14px;
    text-align: center;
  }
  .panel {
    position: absolute;
    z-index: 1000;
    top: calc(100% + 8px);
    right: var(--notification-inbox-panel-right, -8px);
    width: min(var(--_width), calc(100vw - 16px));
    display: flex;
    flex-direction: column;
    max-height: var(--_height);
    background: var(--_bg);
    color: var(--_fg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow:
      0 12px 32px rgb(15 23 42 / 0.16),
      0 2px 6px rgb(15 23 42 / 0.08);
    overflow: hidden;
    text-align: start;
  }
  .panel[hidden] {
    display: none;
  }
  .head {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 14px 16px 12px;
    border-bottom: 1px solid var(--_border);
  }
  h2 {
    margin: 0;
    font-size: 16px;
    font-weight: 650;
  }
  .count {
    color: var(--_muted);
    font-size: 13px;
  }
  .mark-all {
    margin-left: auto;
    padding: 6px 10px;
    border: 0;
    border-radius: 8px;
    background: transparent;
    color: var(--_accent);
    font-size: 13px;
    font-weight: 600;
    cursor: pointer;
  }
  .mark-all:hover:not(:disabled) {
    background: var(--_hover);
  }
  .mark-all:disabled {
    color: var(--_muted);
    cursor: default;
    opacity: 0.75;
  }
  .notice {
    margin: 0;
    padding: 8px 16px;
    font-size: 13px;
    background: #fff7ed;
    color: #9a3412;
    border-bottom: 1px solid var(--_border);
  }
  .scroll {
    overflow-y: auto;
    overscroll-behavior: contain;
    flex: 1;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .item {
    position: relative;
    display: grid;
    grid-template-columns: 36px 1fr 10px;
    gap: 12px;
    padding: 12px 16px;
    border-bottom: 1px solid var(--_border);
    cursor: default;
  }
  .item:last-child {
    border-bottom: 0;
  }
  .item:hover {
    background: var(--_hover);
  }
  .item:focus-visible {
    outline-offset: -2px;
  }
  .item.unread {
    background: var(--_unread-bg);
  }
  .item.unread:hover {
    background: var(--_hover);
  }
  .item.high::before,
  .item.urgent::before {
    content: '';
    position: absolute;
    inset: 0 auto 0 0;
    width: 3px;
    background: var(--_priority);
  }
  .icon {
    display: grid;
    place-items: center;
    width: 36px;
    height: 36px;
    border-radius: 50%;
  }
  .INFO .icon {
    color: var(--_info);
    background: color-mix(in srgb, var(--_info) 12%, transparent);
  }
  .SUCCESS .icon {
    color: var(--_success);
    background: color-mix(in srgb, var(--_success) 12%, transparent);
  }
  .WARNING .icon {
    color: var(--_warning);
    background: color-mix(in srgb, var(--_warning) 14%, transparent);
  }
  .ERROR .icon {
    color: var(--_error);
    background: color-mix(in srgb, var(--_error) 12%, transparent);
  }
  .text {
    min-width: 0;
  }
  .title {
    display: block;
    font-weight: 500;
    overflow-wrap: anywhere;
  }
  .unread .title {
    font-weight: 650;
  }
  .message {
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
    margin: 2px 0 4px;
    color: var(--_muted);
    overflow-wrap: anywhere;
  }
  .meta {
    display: flex;
    align-items: center;
    gap: 6px;
    color: var(--_muted);
    font-size: 12px;
  }
  .priority {
    display: inline-flex;
    align-items: center;
    gap: 3px;
    padding: 0 6px 0 5px;
    border-radius: 4px;
    background: color-mix(in srgb, var(--_priority) 12%, transparent);
    color: var(--_priority);
    font-weight: 600;
  }
  /* Urgent: the same mark, filled. */
  .priority.urgent {
    background: var(--_priority);
    color: var(--_bg);
  }
  .dot {
    width: 9px;
    height: 9px;
    margin-top: 6px;
    border-radius: 50%;
    background: var(--_accent);
  }
  .dot.off {
    visibility: hidden;
  }
  .actions {
    position: absolute;
    right: 12px;
    bottom: 8px;
    display: flex;
    gap: 2px;
    padding: 2px;
    border: 1px solid var(--_border);
    border-radius: 10px;
    background: var(--_bg);
    box-shadow: 0 1px 3px rgb(15 23 42 / 0.1);
    opacity: 0;
    pointer-events: none;
    transition: opacity 0.12s;
  }
  .item:hover .actions,
  .item:focus-visible .actions,
  .item:has(:focus-visible) .actions {
    opacity: 1;
    pointer-events: auto;
  }
  .action {
    display: grid;
    place-items: center;
    width: 30px;
    height: 30px;
    padding: 0;
    border: 0;
    border-radius: 8px;
    background: transparent;
    color: var(--_muted);
    cursor: pointer;
  }
  .action svg {
    width: 18px;
    height: 18px;
  }
  .action:hover {
    background: color-mix(in srgb, var(--_fg) 8%, transparent);
    color: var(--_fg);
  }
  .empty {
    display: grid;
    justify-items: center;
    gap: 4px;
    padding: 40px 24px 48px;
    color: var(--_accent);
    text-align: center;
  }
  .empty strong {
    margin-top: 8px;
    color: var(--_fg);
    font-size: 15px;
  }
  .empty span,
  .loading {
    color: var(--_muted);
  }
  .loading {
    padding: 12px 16px;
    text-align: center;
    font-size: 13px;
  }
  .sentinel {
    height: 1px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  /* A phone: the panel takes the screen's width under the page's top bar. */
  @media (max-width: 480px) {
    .panel {
      position: fixed;
      top: var(--notification-inbox-mobile-top, 64px);
      left: 8px;
      right: 8px;
      width: auto;
      max-height: calc(100vh - var(--notification-inbox-mobile-top, 64px) - 16px);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .actions {
      transition: none;
    }
  }
`;
