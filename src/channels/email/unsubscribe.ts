// The signed, expiring link of List-Unsubscribe (RFC 8058): it names a user and a category and mutes that
// category for email, without a login. Its key is derived from the server's secret for this one purpose, so
// an unsubscribe token is never accepted as a bearer token, nor the other way round.
import { createHmac } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

export const UNSUBSCRIBE_PATH = '/unsubscribe';
const PURPOSE = 'email-unsubscribe';

export interface UnsubscribeClaim {
  userId: string;
  category: string;
}

export class UnsubscribeTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = createHmac('sha256', secret).update(PURPOSE).digest();
  }

  sign({ userId, category }: UnsubscribeClaim): Promise<string> {
    return new SignJWT({ cat: category })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setAudience(PURPOSE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The claim of a valid token; undefined when it is forged, expired or not an unsubscribe token. */
  async verify(token: string): Promise<UnsubscribeClaim | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { audience: PURPOSE, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.cat !== 'string') return undefined;
      return { userId: payload.sub, category: payload.cat };
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
