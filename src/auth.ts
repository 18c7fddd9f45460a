// Bearer JWT verification: HS256 with a shared secret and/or RS256/ES256 from a JWKS URL,
// algorithms pinned, `exp` and `sub` required, issuer and audience checked when configured, and a user
// token's lifetime bounded.
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Config } from './config.js';
import { ExpectedError, type UnauthenticatedReason, unauthenticated } from './errors.js';

/** The signed-in caller, as its token describes it. */
export interface Viewer {
  userId: string;
  roles: readonly string[];
  /** When the token expires, in milliseconds since the epoch. */
  expiresAt: number;
}

/** Answers at once (no promise) for a token verified before and not yet expired. */
export type TokenVerifier = (authorization: string | null) => Viewer | Promise<Viewer>;

/** The token's viewer, or undefined when it is refused (for a path that leaves the refusal to Yoga's). */
export async function acceptedViewer(verify: TokenVerifier, authorization: string | null): Promise<Viewer | undefined> {
  try {
    return await verify(authorization);
  } catch {
    return undefined;
  }
}

const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256'];
const MAX_USER_ID_LENGTH = 255;
/** How many verified tokens are remembered (the oldest are forgotten first). */
const VERIFIED_TOKENS_KEPT = 10_000;
/** How far ahead of this server's clock an issuer's may run (an `iat` a little in the future). */
const CLOCK_SKEW_SECONDS = 60;
/** A UTF-16 surrogate without its pair: text no UTF-8 database can store as it is. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A subject is a user id: a non-empty string of at most 255 characters that PostgreSQL stores exactly, so
 * no NUL and no lone surrogate. Anything else (an array would make one token speak for several users)
 * is no subject.
 */
const isSubject = (sub: unknown): sub is string =>
  typeof sub === 'string' &&
  sub.length > 0 &&
  sub.length <= MAX_USER_ID_LENGTH &&
  !sub.includes('\u0000') &&
  !LONE_SURROGATE.test(sub);

/**
 * How long a token is good for, in seconds: from its `iat` to its `exp`, or from now when it has no `iat`
 * (then it is good for that long from the moment we first see it, which is what bounds a leaked one).
 * An `iat` in the future would let a token start its lifetime late: it counts as no lifetime at all.
 */
function lifetimeSeconds({ iat, exp }: JWTPayload, nowSeconds: number): number {
  if (typeof iat !== 'number') return (exp as number) - nowSeconds;
  if (iat > nowSeconds + CLOCK_SKEW_SECONDS) return Number.POSITIVE_INFINITY;
  return (exp as number) - iat;
}

const SIGNATURE_REFUSED = 'The token is not signed with a key this server accepts.';

/** What jose's error means to the caller, said without jose's details (which claim, which key). */
const REFUSALS: Record<string, [UnauthenticatedReason, string]> = {
  ERR_JWS_INVALID: ['MALFORMED', 'The token is not a well-formed JWT.'],
  ERR_JWT_INVALID: ['MALFORMED', 'The token is not a well-formed JWT.'],
  ERR_JWT_EXPIRED: ['EXPIRED', 'The token has expired.'],
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: ['BAD_SIGNATURE', SIGNATURE_REFUSED],
  ERR_JOSE_ALG_NOT_ALLOWED: ['BAD_SIGNATURE', SIGNATURE_REFUSED],
  ERR_JOSE_NOT_SUPPORTED: ['BAD_SIGNATURE', SIGNATURE_REFUSED],
  ERR_JWKS_NO_MATCHING_KEY: ['BAD_SIGNATURE', SIGNATURE_REFUSED],
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: ['BAD_SIGNATURE', SIGNATURE_REFUSED],
  ERR_JWT_CLAIM_VALIDATION_FAILED: [
    'CLAIMS_REJECTED',
    'The token is not accepted here (issuer, audience, subject or validity).',
  ],
};

function refusal(error: unknown) {
  if (error instanceof ExpectedError) return error;
  const known = REFUSALS[(error as { code?: string }).code ?? ''];
  // Anything else (the key set unreachable…) is no fault the caller can name: no reason.
  return known ? unauthenticated(known[1], known[0]) : unauthenticated('The token could not be verified.');
}

/**
 * `maxUserTokenAgeSeconds` bounds the lifetime of user tokens (see lifetimeSeconds); a service token
 * (role `service`) is a backend's credential, whose rotation its operators decide, and is not bounded.
 */
export function createTokenVerifier(jwt: Config['jwt'], maxUserTokenAgeSeconds: number): TokenVerifier {
  const secret = jwt.secret ? new TextEncoder().encode(jwt.secret) : undefined;
  // Keys are cached for cacheMaxAge; a token with an unknown `kid` (a rotated key) makes one refetch at
  // most every cooldownDuration, so a flood of made-up kids cannot turn into a flood of fetches.
  const jwks = jwt.jwksUrl
    ? createRemoteJWKSet(new URL(jwt.jwksUrl), {
        cacheMaxAge: jwt.jwksCacheMaxAgeMs,
        cooldownDuration: jwt.jwksCooldownMs,
      })
    : undefined;
  if (!secret && !jwks) throw new Error('JWT verification needs a secret or a JWKS URL');

  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ASYMMETRIC_ALGORITHMS : [])];
  // Imported once: given the secret's bytes, jose imports them as a key again for every token it verifies.
  const hmacKey =
    secret && crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  // The key follows from the algorithm, so a token can never choose to be checked against the wrong kind of key.
  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256' && hmacKey) return hmacKey;
    if (jwks) return jwks(header, token);
    throw unauthenticated(SIGNATURE_REFUSED, 'BAD_SIGNATURE');
  };

  // A client sends the same token with every request: verifying a signature each time cost a tenth of a
  // request's time. A verified token is remembered until it expires; the signature cannot change meanwhile.
  const verified = new Map<string, Viewer>();

  return (authorization) => {
    if (!authorization) {
      return Promise.reject(
        unauthenticated('A bearer token is required: send "Authorization: Bearer <JWT>".', 'MISSING'),
      );
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!token) return Promise.reject(unauthenticated('The Authorization header must be "Bearer <JWT>".', 'MALFORMED'));
    const known = verified.get(token);
    if (known && known.expiresAt > Date.now()) return known;
    if (known) verified.delete(token);
    return verify(token).then((viewer) => {
      if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value as string);
      verified.set(token, viewer);
      return viewer;
    });
  };

  async function verify(token: string): Promise<Viewer> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        algorithms,
        issuer: jwt.issuer,
        audience: jwt.audience,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw refusal(error);
    }
    const { sub, exp, roles: claimed } = payload;
    if (!isSubject(sub)) throw unauthenticated('The token has no usable subject.', 'CLAIMS_REJECTED');
    const roles = Array.isArray(claimed) ? claimed.filter((role): role is string => typeof role === 'string') : [];
    const nowSeconds = Math.floor(Date.now() / 1000);
    if (!roles.includes('service') && lifetimeSeconds(payload, nowSeconds) > maxUserTokenAgeSeconds) {
      throw unauthenticated(
        `The token lives longer than ${maxUserTokenAgeSeconds} seconds: ask for a shorter-lived one.`,
        'CLAIMS_REJECTED',
      );
    }
    return { userId: sub, roles, expiresAt: (exp as number) * 1000 };
  }
}
