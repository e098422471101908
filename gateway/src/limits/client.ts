import { decodeJwt } from 'jose';
import { Role, type Principal } from '../../../subgraphs/shared/src';

/** How a client names itself (Apollo's convention, sent by Apollo Client, Apollo Kotlin, Apollo iOS and others). */
export const CLIENT_NAME_HEADER = 'apollographql-client-name';

/**
 * What a request counts against besides its address.
 *
 * A client is known in one of two ways, and the two never share a counter (`subject` starts `token:` or `name:`):
 * - by its token, verified: the `client_id` of a partner's token or of a relying party's token. It wins over any
 *   name the request gives itself, so a token's client cannot shed its counter by sending another name;
 * - by its own `apollographql-client-name` header, which anyone may send. A name is only ever an *extra* cap: the
 *   request still counts against its address, so changing names buys nothing, and naming oneself after a partner
 *   (`name:bank.x`) never touches that partner's counter (`token:bank.x`).
 *
 * The version header is not part of the client: a new version must not start with a fresh count.
 */
export interface RequestClient {
  subject: string;
  source: 'token' | 'header';
  /**
   * A partner's machine client: authenticated by its credentials, sending everything from its own few servers. It is
   * counted per client only, under the limit it was registered with; an address limit would cap a bank by its NAT.
   */
  machine: boolean;
  /** From the partner's registration (its token's `requests_per_minute`); otherwise the gateway's default applies. */
  requestsPerMinute?: number;
}

/** The client a request counts against: its verified token's client, else the name it gives itself, else none. */
export function clientOf(principal: Principal | null, nameHeader: string | undefined): RequestClient | undefined {
  if (principal?.clientId) {
    const machine = principal.role === Role.PARTNER_BANK;
    return {
      subject: `token:${principal.clientId.toLowerCase()}`, source: 'token', machine,
      ...(machine && principal.requestsPerMinute ? { requestsPerMinute: principal.requestsPerMinute } : {}),
    };
  }
  const name = clientNameOf(nameHeader);
  return name ? { subject: `name:${name}`, source: 'header', machine: false } : undefined;
}

/** Visible ASCII, inner spaces allowed, at most 64 characters. */
const USABLE_NAME = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;

/**
 * The name as it is counted (trimmed, lower case), or undefined for none or one that cannot be used (too long, control
 * or non-ASCII characters). An unusable name counts as no name rather than a refusal: the address limit holds either
 * way, and a label is no reason to turn a request away.
 */
export function clientNameOf(header: string | undefined): string | undefined {
  const name = header?.trim();
  return name && USABLE_NAME.test(name) ? name.toLowerCase() : undefined;
}

/**
 * The claims an access token *says* it has, unverified: only to decide in which order to count (a partner's token is
 * verified before anything is counted; anyone else's address is counted first, so a flood of forged tokens is refused
 * by its address before any signature is checked). Nothing is ever granted on them.
 */
export function claimedTokenClaims(authorization: string | undefined): { role?: unknown; client_id?: unknown } | undefined {
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
  if (!match) return undefined;
  try {
    return decodeJwt(match[1]) as { role?: unknown; client_id?: unknown };
  } catch {
    return undefined;
  }
}
