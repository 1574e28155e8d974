import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

/** What a Direct Line token carries: the one conversation it opens, the user it speaks for, and when it stops working. */
export interface TokenClaims {
  /** Conversation id: the token reads and writes this conversation only. */
  conv: string;
  /** User id embedded in the token (dl_…): Web Chat takes it from the token, the server stamps it on every activity. */
  user: string;
  /** Expiry, seconds since the epoch (JWT "exp"). */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** "api" for the REST calls, "stream" for the short-lived ticket inside a streamUrl. */
  scope: TokenScope;
}

export type TokenScope = 'api' | 'stream';

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'missing' | 'invalid' } | { ok: false; reason: 'expired'; claims: TokenClaims };

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

/**
 * Signs and checks Direct Line tokens. A token is a compact JWT (HS256): HMAC-SHA256 with the server secret over the
 * conversation id, user id, scope and expiry. JWT is the shape Web Chat and DirectLineJS already decode to find the
 * embedded user id; nothing else in the token is trusted without the signature.
 */
export class TokenService {
  private readonly key: Buffer;

  /**
   * @param secret DIRECT_LINE_TOKEN_SECRET, or the key kept in the conversation store (shared by every instance);
   * without either, a random key (tokens die with the service).
   */
  constructor(secret: string | Buffer | undefined, private readonly now: () => number = Date.now) {
    if (typeof secret === 'string' && secret.length < 32) throw new Error('DIRECT_LINE_TOKEN_SECRET must be at least 32 characters');
    this.key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret ?? randomBytes(32);
  }

  sign(claims: { conv: string; user: string; scope?: TokenScope }, ttlSeconds: number): string {
    const iat = Math.floor(this.now() / 1000);
    const payload: TokenClaims = { conv: claims.conv, user: claims.user, scope: claims.scope ?? 'api', iat, exp: iat + ttlSeconds };
    const body = `${HEADER}.${base64url(JSON.stringify(payload))}`;
    return `${body}.${this.mac(body)}`;
  }

  verify(token: string | undefined, scope: TokenScope = 'api'): TokenCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.mac(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (typeof claims.conv !== 'string' || typeof claims.user !== 'string' || typeof claims.exp !== 'number' || claims.scope !== scope) {
      return { ok: false, reason: 'invalid' };
    }
    // The claims of an expired token are still authentic: the page's token route may resume its conversation.
    if (claims.exp * 1000 <= this.now()) return { ok: false, reason: 'expired', claims };
    return { ok: true, claims };
  }

  /** Seconds until a token's expiry, for expires_in. */
  secondsLeft(claims: TokenClaims): number {
    return Math.max(0, claims.exp - Math.floor(this.now() / 1000));
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** Constant-time comparison of two secrets of possibly different length. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHmac('sha256', 'compare').update(a).digest();
  const y = createHmac('sha256', 'compare').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}
