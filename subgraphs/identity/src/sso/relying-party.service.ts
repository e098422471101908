import type { DataSource } from 'typeorm';
import { assertCan, BadInputError, ConflictError, decodeCursor, isUuid, NotFoundError, pageSize, toConnection, type Connection, type Principal } from '../../../shared/src';
import { hashClientSecret, newClientSecret } from '../partners/partner-secret';
import { RelyingParty } from './relying-party.entity';
import { checkRelyingPartyRegistration, newRelyingPartyClientId, type RelyingPartyRegistration } from './relying-party.rules';
import type { RelyingPartyCredentials } from './relying-party.types';

const UNIQUE_VIOLATION = '23505';

/** Relying parties: registered and managed by level-2 administrators; read by the provider's client lookup (oidc-store.ts). */
export class RelyingPartyService {
  constructor(private readonly db: DataSource, private readonly issuer: () => string) {}

  async register(principal: Principal | null, input: RelyingPartyRegistration): Promise<RelyingPartyCredentials> {
    const admin = assertCan(principal, 'relyingParty.register', {}, 'Only an administrator registers relying parties.');
    const { value, problems } = checkRelyingPartyRegistration(input);
    if (problems.length) throw new BadInputError('The relying party has problems; see extensions.problems.', problems);
    const clientSecret = value.confidential ? newClientSecret() : null;
    const repo = this.db.getRepository(RelyingParty);
    const clientId = newRelyingPartyClientId();
    try {
      await repo.insert({
        clientId, name: value.name, redirectUris: value.redirectUris, postLogoutRedirectUris: value.postLogoutRedirectUris,
        allowedScopes: value.allowedScopes, allowedLevels: value.allowedLevels, secretHash: clientSecret ? hashClientSecret(clientSecret) : null,
        active: true, createdByAccountId: admin.accountId,
      });
    } catch (error) {
      if (isUniqueViolation(error, 'relying_parties_name_key')) throw new ConflictError('A relying party with this name is already registered.');
      throw error;
    }
    const relyingParty = await repo.findOneByOrFail({ clientId });
    return { relyingParty, clientId, clientSecret, discoveryUrl: `${this.issuer()}/.well-known/openid-configuration` };
  }

  async list(principal: Principal | null, first?: number | null, after?: string | null): Promise<Connection<RelyingParty>> {
    assertCan(principal, 'relyingParty.manage', { relyingPartyId: null }, 'Only an administrator lists relying parties.');
    const size = pageSize(first);
    const cursor = decodeCursor(after, ['string', 'uuid']);
    const query = this.db.getRepository(RelyingParty).createQueryBuilder('r').orderBy('r.name', 'ASC').addOrderBy('r.id', 'ASC').limit(size + 1);
    if (cursor) query.andWhere('(r.name, r.id) > (:name, :id::uuid)', { name: cursor[0], id: cursor[1] });
    return toConnection(await query.getMany(), size, (r) => [r.name, r.id], !!cursor);
  }

  /**
   * An inactive relying party starts no sign-in and gets no token: the provider's client lookup no longer finds it,
   * so its codes and refresh tokens stop working at once. Access tokens it already holds live out their minutes.
   */
  async setActive(principal: Principal | null, relyingPartyId: string, active: boolean): Promise<RelyingParty> {
    assertCan(principal, 'relyingParty.manage', { relyingPartyId }, 'Only an administrator manages relying parties.');
    if (!isUuid(relyingPartyId)) throw new NotFoundError('No such relying party.');
    const repo = this.db.getRepository(RelyingParty);
    const { affected } = await repo.update({ id: relyingPartyId }, { active });
    if (!affected) throw new NotFoundError('No such relying party.');
    return repo.findOneByOrFail({ id: relyingPartyId });
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driver = (error as { driverError?: { code?: string; constraint?: string } }).driverError ?? (error as { code?: string; constraint?: string });
  return driver?.code === UNIQUE_VIOLATION && driver.constraint === constraint;
}
