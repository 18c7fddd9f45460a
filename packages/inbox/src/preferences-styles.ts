// The look of <notification-preferences>: the same custom properties as the inbox's (--notification-inbox-*).
import { css } from 'lit';

export const preferencesStyles = css`
    :host {
      display: block;
      --_accent: var(--notification-inbox-accent, #4f46e5);
      --_muted: var(--notification-inbox-muted-color, #4b5563);
      --_border: var(--notification-inbox-border-color, #e5e7eb);
      --_field-border: var(--notification-inbox-field-border-color, #9ca3af);
      font: var(--notification-inbox-font, 400 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
      color: var(--notification-inbox-color, #111827);
    }
    h2 {
      margin: 0 0 2px;
      font-size: 16px;
      font-weight: 650;
    }
    .description {
      margin: 0 0 12px;
      color: var(--_muted);
    }
    table {
      width: 100%;
      border-collapse: collapse;
    }
    th,
    td {
      padding: 10px 8px;
      border-bottom: 1px solid var(--_border);
      text-align: center;
    }
    th:first-child {
      text-align: start;
      font-weight: 500;
    }
    thead th {
      color: var(--_muted);
      font-size: 12px;
      font-weight: 600;
      text-transform: uppercase;
      letter-spacing: 0.04em;
    }
    .critical {
      margin-left: 6px;
      padding: 1px 6px;
      border-radius: 4px;
      background: #f3f4f6;
      color: var(--_muted);
      font-size: 12px;
    }
    .switch {
      position: relative;
      display: inline-block;
      width: 36px;
      height: 20px;
    }
    .switch input {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
      margin: 0;
      opacity: 0;
      cursor: pointer;
    }
    .track {
      position: absolute;
      inset: 0;
      border-radius: 10px;
      background: #9ca3af;
      transition: background 0.15s;
      pointer-events: none;
    }
    .track::after {
      content: '';
      position: absolute;
      top: 2px;
      left: 2px;
      width: 16px;
      height: 16px;
      border-radius: 50%;
      background: #fff;
      transition: transform 0.15s;
    }
    input:checked + .track {
      background: var(--_accent);
    }
    input:checked + .track::after {
      transform: translateX(16px);
    }
    input:indeterminate + .track {
      background: color-mix(in srgb, var(--_accent) 45%, #9ca3af);
    }
    input:indeterminate + .track::after {
      transform: translateX(8px);
    }
    input:disabled {
      cursor: not-allowed;
    }
    input:disabled + .track {
      opacity: 0.55;
    }
    input:focus-visible + .track {
      outline: 2px solid var(--_accent);
      outline-offset: 2px;
    }
    .note {
      margin: 10px 0 0;
      color: var(--_muted);
      font-size: 13px;
    }
    select,
    input[type='time'] {
      min-height: 32px;
      padding: 4px 8px;
      border: 1px solid var(--_field-border);
      border-radius: 6px;
      background: var(--notification-inbox-background, #fff);
      color: inherit;
      font: inherit;
    }
    select:focus-visible,
    input[type='time']:focus-visible,
    .check input:focus-visible,
    .save:focus-visible {
      outline: 2px solid var(--_accent);
      outline-offset: 1px;
    }
    select:disabled,
    input[type='time']:disabled {
      opacity: 0.6;
      cursor: not-allowed;
    }
    .digests,
    .quiet {
      margin-top: 20px;
      padding-top: 16px;
      border-top: 1px solid var(--_border);
    }
    .digest-list {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
      gap: 8px 20px;
      margin-top: 10px;
    }
    .digest-row {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
    }
    h3 {
      margin: 0 0 2px;
      font-size: 15px;
      font-weight: 650;
    }
    .toggle {
      display: flex;
      align-items: center;
      gap: 10px;
      width: fit-content;
      font-weight: 500;
      cursor: pointer;
    }
    .fields {
      display: flex;
      flex-wrap: wrap;
      gap: 12px 16px;
      margin: 14px 0 10px;
    }
    .field {
      display: grid;
      gap: 4px;
      color: var(--_muted);
      font-size: 13px;
      font-weight: 500;
    }
    .field.zone {
      flex: 1 1 180px;
      min-width: 0;
    }
    .field.zone select {
      width: 100%;
    }
    .held {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 16px;
      margin: 0 0 14px;
      padding: 0;
      border: 0;
    }
    .held legend {
      float: left;
      margin-right: 4px;
      padding: 0;
      color: var(--_muted);
      font-size: 13px;
      font-weight: 500;
    }
    .held:disabled .check {
      opacity: 0.6;
    }
    .check {
      display: inline-flex;
      align-items: center;
      gap: 6px;
    }
    .check input {
      width: 16px;
      height: 16px;
      margin: 0;
      accent-color: var(--_accent);
    }
    .save {
      min-height: 34px;
      padding: 6px 14px;
      border: 0;
      border-radius: 8px;
      background: var(--_accent);
      color: #fff;
      font: inherit;
      font-weight: 600;
      cursor: pointer;
    }
    .save:hover {
      background: color-mix(in srgb, var(--_accent) 88%, #000);
    }
    .message {
      min-height: 1.45em;
      margin: 8px 0 0;
      color: var(--_muted);
      font-size: 13px;
    }
    @media (prefers-reduced-motion: reduce) {
      .track,
      .track::after {
        transition: none;
      }
    }
  `;
