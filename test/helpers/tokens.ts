import { randomUUID } from 'node:crypto';
import { signToken, type TokenClaims } from '../../src/sign-token.js';

/** The secret test servers verify tokens with. */
export const TEST_JWT_SECRET = 'a-test-secret-of-at-least-thirty-two-characters';

/** A user no other test knows. */
export const newUserId = (): string => `user-${randomUUID()}`;

export const tokenFor = (sub: string, claims: Omit<TokenClaims, 'sub'> = {}): Promise<string> =>
  signToken(TEST_JWT_SECRET, { sub, ...claims });

/** A token for a backend service, which may create notifications for anyone. */
export const serviceToken = (): Promise<string> => tokenFor('test-service', { roles: ['service'] });
