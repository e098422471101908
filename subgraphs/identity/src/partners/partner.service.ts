import type { DataSource } from 'typeorm';
import { clientIpSubject,
  assertCan, BadInputError, can, ConflictError, decodeCursor, isUuid, NotFoundError, pageSize, toConnection, UnauthenticatedError,
  type Connection, type LimitRule, type Principal, type RateLimiter,
} from '../../../shared/src';
import { Partner } from './partner.entity';
import { checkPartnerRegistration, CLIENT_ID_PATTERN, newClientId, type PartnerRegistration } from './partner-rules';
import { hashClientSecret, newClientSecret, UNKNOWN_CLIENT_SECRET_HASH, verifyClientSecret } from './partner-secret';
import type { PartnerTokenSigner } from './partner-token';
import type { PartnerCredentials, PartnerToken } from './partner.types';

/**
 * Failed token requests per client id and client address in 15 minutes. Each request is counted before its secret
 * is checked, and a right secret gives its count back: only failures add up. A 256-bit secret cannot be guessed
 * anyway: the limit keeps a misconfigured or hostile client from hammering the endpoint. It is per address as well
 * as per client id so that someone who knows a bank's client id cannot lock the bank out from elsewhere.
 */
export const PARTNER_TOKEN_FAILURES_PER_CLIENT: LimitRule = { name: 'partner-token-client-ip', limit: 10, windowSeconds: 15 * 60 };

/** One answer for an unknown client id, a wrong secret and a deactivated partner. */
const WRONG_CREDENTIALS = 'The client id or the client secret is not valid.';

const UNIQUE_VIOLATION = '23505';

/** Partners (the banks' machine clients): registration and management by administrators, client-credential tokens. */
export class PartnerService {
  constructor(
    private readonly db: DataSource,
    private readonly limiter: RateLimiter,
    private readonly signer: PartnerTokenSigner,
    private readonly now = () => new Date(),
  ) {}

  async register(principal: Principal | null, input: PartnerRegistration): Promise<PartnerCredentials> {
    const admin = assertCan(principal, 'partner.register', {}, 'Only an administrator registers partners.');
    const { value, problems } = checkPartnerRegistration(input);
    if (problems.length) throw new BadInputError('The partner has problems; see extensions.problems.', problems);
    const clientSecret = newClientSecret();
    const partner = this.db.getRepository(Partner).create({
      ...value, clientId: newClientId(), secretHash: hashClientSecret(clientSecret), secretRotatedAt: this.now(), active: true,
      createdByAccountId: admin.accountId,
    });
    try {
      await this.db.getRepository(Partner).insert(partner);
    } catch (error) {
      if (isUniqueViolation(error, 'partners_name_key')) throw new ConflictError('A partner with this name is already registered.');
      throw error;
    }
    delete partner.secretHash;
    return { partner, clientId: partner.clientId, clientSecret };
  }

  /** A new secret; the old one stops working at once (tokens it obtained live out their few minutes). */
  async rotateSecret(principal: Principal | null, partnerId: string): Promise<PartnerCredentials> {
    assertCan(principal, 'partner.manage', { partnerId }, 'Only an administrator manages partners.');
    const clientSecret = newClientSecret();
    const partner = await this.update(partnerId, { secretHash: hashClientSecret(clientSecret), secretRotatedAt: this.now() });
    return { partner, clientId: partner.clientId, clientSecret };
  }

  /** An inactive partner gets no new token, and every check it still tries is refused. */
  async setActive(principal: Principal | null, partnerId: string, active: boolean): Promise<Partner> {
    assertCan(principal, 'partner.manage', { partnerId }, 'Only an administrator manages partners.');
    return this.update(partnerId, { active });
  }

  /** Partners by name. Citizens choosing whom to consent to see the active ones; administrators see all. */
  async list(principal: Principal | null, first?: number | null, after?: string | null): Promise<Connection<Partner>> {
    assertCan(principal, 'partner.list', {}, 'Partners are listed for citizens and administrators.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['string', 'uuid']);
    const query = this.db.getRepository(Partner).createQueryBuilder('p').orderBy('p.name', 'ASC').addOrderBy('p.id', 'ASC').limit(size + 1);
    if (!can(principal, 'partner.register', {})) query.andWhere('p.active');
    if (cursor) query.andWhere('(p.name, p.id) > (:name, :id::uuid)', { name: cursor[0], id: cursor[1] });
    return toConnection(await query.getMany(), size, (p) => [p.name, p.id], !!cursor);
  }

  /**
   * Client credentials (OAuth 2.0 `client_credentials` in GraphQL form). An unknown client id, a wrong secret and
   * a deactivated partner get the same answer after the same work (one lookup, one HMAC, one comparison). The
   * attempt is counted per client id before the secret is checked.
   */
  async issueToken(clientId: string, clientSecret: string, clientIp: string): Promise<PartnerToken> {
    // Client ids are short and plain; anything else is no one's (and must not become a Redis key as it is).
    const subject = clientId.trim().toLowerCase().slice(0, 64);
    const limitSubject = `${clientIpSubject(clientIp)}|${subject}`;
    await this.limiter.consume(PARTNER_TOKEN_FAILURES_PER_CLIENT, limitSubject, 'Too many failed token requests for this client id from this address; try again later.');
    const partner = CLIENT_ID_PATTERN.test(subject)
      ? await this.db.getRepository(Partner).createQueryBuilder('p').addSelect('p.secretHash').where('p.client_id = :subject', { subject }).getOne()
      // Keep the same work for a client id that cannot exist: a lookup that finds nothing.
      : await this.db.getRepository(Partner).createQueryBuilder('p').addSelect('p.secretHash').where('false').getOne();
    const secretOk = verifyClientSecret(clientSecret, partner?.secretHash ?? UNKNOWN_CLIENT_SECRET_HASH);
    if (!partner || !secretOk || !partner.active) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    await this.limiter.refund(PARTNER_TOKEN_FAILURES_PER_CLIENT, limitSubject);
    const { token, expiresAt } = await this.signer.sign(partner);
    return { accessToken: token, tokenType: 'Bearer', expiresAt, partnerId: partner.id };
  }

  private async update(partnerId: string, changes: Partial<Pick<Partner, 'secretHash' | 'secretRotatedAt' | 'active'>>): Promise<Partner> {
    if (!isUuid(partnerId)) throw new NotFoundError('No such partner.');
    const partners = this.db.getRepository(Partner);
    const { affected } = await partners.update({ id: partnerId }, changes);
    if (!affected) throw new NotFoundError('No such partner.');
    return partners.findOneByOrFail({ id: partnerId });
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driver = (error as { driverError?: { code?: string; constraint?: string } }).driverError ?? (error as { code?: string; constraint?: string });
  return driver?.code === UNIQUE_VIOLATION && driver.constraint === constraint;
}
