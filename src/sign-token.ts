// Signs the HS256 tokens of development and of operators' tools (`npm run notify`). Apart from src/auth.ts,
// which verifies, so that a command line loads jose and nothing heavier.
import { SignJWT } from 'jose';

export interface TokenClaims {
  sub: string;
  roles?: string[];
  /** Lifetime in seconds. */
  ttl?: number;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** Signs an HS256 token: for development and operators' tools, never for production identities. */
export function signToken(
  secret: string,
  { sub, roles = [], ttl = 3600, issuer, audience }: TokenClaims,
): Promise<string> {
  const token = new SignJWT({ roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl);
  if (issuer) token.setIssuer(issuer);
  if (audience) token.setAudience(audience);
  return token.sign(new TextEncoder().encode(secret));
}
