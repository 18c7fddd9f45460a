import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { NodeDocument, NotificationAddedDocument, NotificationsDocument } from '../generated/graphql.js';
import { userClient } from '../helpers/graphql.js';
import { createNotification } from '../helpers/notifications.js';
import { useTestServer } from '../helpers/server.js';
import { type SseMode, subscribe } from '../helpers/subscribe.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const server = useTestServer();

const MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)> &lt;b&gt; &amp; <!-- -->';
const UNICODE = '🔔 émoji ñ 中文 עברית \u202Eevil\u202C zero\u200Bwidth \'quotes\' "double" \\ back`tick';

/** Every text field of a notification, each with markup and unicode. */
const input = (userId: string, tag: string) => ({
  userId,
  title: `${tag} ${MARKUP}`,
  message: `${MARKUP}\n${UNICODE}`,
  type: 'WARNING' as const,
  metadata: { html: MARKUP, [`<key ${tag}>`]: UNICODE, nested: { list: [MARKUP, UNICODE] } },
  relatedSessionId: `<session id="${tag}">`,
  idempotencyKey: `<key>${tag}</key> ${UNICODE}`,
});

const expected = (userId: string, tag: string) => {
  const { userId: _, idempotencyKey: __, ...fields } = input(userId, tag);
  return fields;
};

describe('plain text', () => {
  it('should round-trip markup and unicode in every text field as inert text, over HTTP', async () => {
    // The recipient's id is text too: the `sub` of their token.
    const userId = `<u onclick="x">${newUserId()}</u> 🔔`;
    const user = userClient(server.url, userId, await tokenFor(userId));
    const created = await createNotification(server.url, input(userId, 'http'));
    expect(created).toMatchObject(expected(userId, 'http'));
    expect((await user.data(NodeDocument, { id: created.id })).node).toMatchObject(expected(userId, 'http'));
    expect((await user.data(NotificationsDocument, {})).notifications.edges[0]?.node).toMatchObject(
      expected(userId, 'http'),
    );

    // On the wire: JSON with the characters themselves, never HTML or HTML entities made by us.
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: print(NodeDocument), variables: { id: created.id } }),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    const raw = await response.text();
    expect(raw).toContain('<script>alert(\\"x\\")</script><img src=x onerror=alert(1)>');
    expect(raw).toContain('&lt;b&gt; &amp;');
    expect(raw).not.toContain('&lt;script');
    console.log(
      'plain text: markup and unicode in userId, title, message, metadata, relatedSessionId and idempotencyKey ' +
        'round-trip unchanged (HTTP here, both SSE modes below)',
    );
  });

  it.each<SseMode>(['distinct', 'single'])('should deliver them unchanged over SSE (%s connections)', async (mode) => {
    const userId = newUserId();
    const stream = subscribe(server.url, NotificationAddedDocument, {}, { token: await tokenFor(userId), mode });
    await stream.ready;
    await createNotification(server.url, input(userId, mode));
    const [result] = await stream.take(1);
    expect(result?.data?.notificationAdded).toMatchObject(expected(userId, mode));
    await stream.dispose();
  });
});
