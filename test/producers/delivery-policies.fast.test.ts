// The delivery policies in the preferences matrix: a read-before-send delay and a digest window per category
// and channel, read back as stored, refused out of range.
import { describe, expect, it } from 'vitest';
import { DeliveryPoliciesDocument, UpdateDeliveryPoliciesDocument } from '../generated/graphql.js';
import { useTestApp } from '../helpers/app.js';
import { expectError } from '../helpers/graphql.js';

const app = useTestApp();

describe('delivery policies in the preferences', () => {
  it('should be none by default, and keep what is set per category and channel', async () => {
    const user = await app.newUser();
    const before = await user.data(DeliveryPoliciesDocument);
    for (const category of before.notificationPreferences.categories) {
      expect(category.emailPolicy).toEqual({ delaySeconds: 0, digestSeconds: 0 });
      expect(category.pushPolicy).toEqual({ delaySeconds: 0, digestSeconds: 0 });
    }
    await user.data(UpdateDeliveryPoliciesDocument, {
      input: {
        categories: [
          { category: 'transcription', emailPolicy: { delaySeconds: 300 }, pushPolicy: { delaySeconds: 30 } },
          { category: 'system', emailPolicy: { digestSeconds: 900 } },
        ],
      },
    });
    // A later change of one field leaves the other as it was.
    const { updateNotificationPreferences } = await user.data(UpdateDeliveryPoliciesDocument, {
      input: { categories: [{ category: 'transcription', emailPolicy: { digestSeconds: 60 } }] },
    });
    const byCategory = Object.fromEntries(
      updateNotificationPreferences.categories.map((c) => [c.category, [c.emailPolicy, c.pushPolicy]]),
    );
    expect(byCategory.transcription).toEqual([
      { delaySeconds: 300, digestSeconds: 60 },
      { delaySeconds: 30, digestSeconds: 0 },
    ]);
    expect(byCategory.system).toEqual([
      { delaySeconds: 0, digestSeconds: 900 },
      { delaySeconds: 0, digestSeconds: 0 },
    ]);
  });

  it.each([
    [{ emailPolicy: { delaySeconds: 86_401 } }, 'categories.0.emailPolicy.delaySeconds'],
    [{ emailPolicy: { digestSeconds: -1 } }, 'categories.0.emailPolicy.digestSeconds'],
    [{ pushPolicy: { delaySeconds: 100_000 } }, 'categories.0.pushPolicy.delaySeconds'],
  ])('should refuse %j, naming the field', async (policy, field) => {
    const user = await app.newUser();
    const response = await user.execute(UpdateDeliveryPoliciesDocument, {
      input: { categories: [{ category: 'system', ...policy }] },
    });
    expect(expectError(response, 'BAD_USER_INPUT').extensions?.field).toBe(field);
    const { notificationPreferences } = await user.data(DeliveryPoliciesDocument);
    expect(notificationPreferences.categories.find((c) => c.category === 'system')?.emailPolicy.delaySeconds).toBe(0);
  });
});
