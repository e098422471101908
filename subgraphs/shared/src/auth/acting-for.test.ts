import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signTestToken } from '../../../../test/kit/tokens';
import { can } from './authz';
import { DelegationScope, Role, type ActingFor, type Principal } from './roles';
import { TOKEN_ALGORITHM, TokenVerifier } from './tokens';

const ISSUER = 'national-identity-graph';
const organisationId = randomUUID();
const delegationId = randomUUID();

describe('tokens that act for an organisation (the act_for claim)', () => {
  let verifier: TokenVerifier;
  let sign: (claims: Parameters<typeof signTestToken>[1], tampering?: Parameters<typeof signTestToken>[2]) => Promise<string>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
    const kid = 'k1';
    verifier = new TokenVerifier({ jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALGORITHM, use: 'sig' }] } }, ISSUER);
    sign = (claims, tampering) => signTestToken({ privateKey, kid, issuer: ISSUER }, claims, tampering);
  });

  it('gives the principal whom it acts for, the person still being the subject', async () => {
    const accountId = randomUUID();
    const actingFor: ActingFor = { organisationId, delegationId, scopes: [DelegationScope.VIEW_DOSSIERS, DelegationScope.PAY_FEES] };
    expect(await verifier.verify(await sign({ role: Role.CITIZEN, accountId, level: 2, actingFor }))).toEqual({
      accountId, role: Role.CITIZEN, level: 2, postalPointCode: undefined, agencyCode: undefined, actingFor,
    });
    const representative = { organisationId, delegationId: null, scopes: Object.values(DelegationScope) };
    expect((await verifier.verify(await sign({ role: Role.CITIZEN, level: 2, actingFor: representative }))).actingFor).toEqual(representative);
  });

  it('leaves a token without the claim as it was', async () => {
    expect(await verifier.verify(await sign({ role: Role.CITIZEN, level: 2 }))).not.toHaveProperty('actingFor');
  });

  const good = { organisation_id: organisationId, delegation_id: delegationId, scopes: ['VIEW_DOSSIERS'] };
  it.each<[string, Record<string, unknown>, { role?: Role; level?: 1 | 2 }?]>([
    ['a string', { act_for: organisationId }],
    ['null', { act_for: null }],
    ['an array', { act_for: [good] }],
    ['no organisation', { act_for: { delegation_id: delegationId, scopes: ['VIEW_DOSSIERS'] } }],
    ['an organisation that is no UUID', { act_for: { ...good, organisation_id: 'org-1' } }],
    ['a delegation that is no UUID', { act_for: { ...good, delegation_id: 42 } }],
    ['no delegation member at all', { act_for: { organisation_id: organisationId, scopes: ['VIEW_DOSSIERS'] } }],
    ['no scopes', { act_for: { ...good, scopes: [] } }],
    ['scopes that are no list', { act_for: { ...good, scopes: 'VIEW_DOSSIERS' } }],
    ['an unknown scope', { act_for: { ...good, scopes: ['VIEW_DOSSIERS', 'EVERYTHING'] } }],
    ['a scope twice', { act_for: { ...good, scopes: ['VIEW_DOSSIERS', 'VIEW_DOSSIERS'] } }],
    ['a member more', { act_for: { ...good, role: 'ADMINISTRATOR' } }],
    ['a level-1 token', { act_for: good }, { level: 1 }],
    ['an official\'s token', { act_for: good }, { role: Role.OFFICIAL }],
    ['a partner\'s token', { act_for: good }, { role: Role.PARTNER_BANK }],
  ])('makes the whole token invalid when the claim is %s', async (_what, claims, who = {}) => {
    const token = await sign({ role: who.role ?? Role.CITIZEN, level: who.level ?? 2 }, { claims });
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: 'The access token is not valid.' });
  });
});

describe("the catalogue rule other subgraphs ask: 'organisation.act'", () => {
  const person = randomUUID();
  const citizen = (actingFor?: ActingFor, overrides: Partial<Principal> = {}): Principal => ({ accountId: person, role: Role.CITIZEN, level: 2, ...(actingFor ? { actingFor } : {}), ...overrides });
  const delegate = (scopes: DelegationScope[]) => citizen({ organisationId, delegationId, scopes });

  it.each<[string, Principal | null, { organisationId: string; scope: DelegationScope }, boolean]>([
    ['a delegate within their scope', delegate([DelegationScope.VIEW_DOSSIERS]), { organisationId, scope: DelegationScope.VIEW_DOSSIERS }, true],
    ['a delegate within one of their scopes', delegate([DelegationScope.PAY_FEES, DelegationScope.SUBMIT_DOSSIERS]), { organisationId, scope: DelegationScope.SUBMIT_DOSSIERS }, true],
    ['the same organisation id in capitals', delegate([DelegationScope.PAY_FEES]), { organisationId: organisationId.toUpperCase(), scope: DelegationScope.PAY_FEES }, true],
    ['a delegate outside their scope', delegate([DelegationScope.VIEW_DOSSIERS]), { organisationId, scope: DelegationScope.SUBMIT_DOSSIERS }, false],
    ['a delegate, for another organisation', delegate(Object.values(DelegationScope)), { organisationId: randomUUID(), scope: DelegationScope.VIEW_DOSSIERS }, false],
    ['the representative (every scope)', citizen({ organisationId, delegationId: null, scopes: Object.values(DelegationScope) }), { organisationId, scope: DelegationScope.MANAGE_DOCUMENTS }, true],
    ['the same person with their own token', citizen(), { organisationId, scope: DelegationScope.VIEW_DOSSIERS }, false],
    ['an administrator', { accountId: randomUUID(), role: Role.ADMINISTRATOR, level: 2 }, { organisationId, scope: DelegationScope.VIEW_DOSSIERS }, false],
    ['a principal whose token is not a level-2 citizen\'s', citizen({ organisationId, delegationId, scopes: [DelegationScope.VIEW_DOSSIERS] }, { level: 1 }), { organisationId, scope: DelegationScope.VIEW_DOSSIERS }, false],
    ['anonymous', null, { organisationId, scope: DelegationScope.VIEW_DOSSIERS }, false],
  ])('%s → %s', (_who, principal, resource, allowed) => expect(can(principal, 'organisation.act', resource)).toBe(allowed));
});

describe('the catalogue rules of organisations', () => {
  const representativeAccountId = randomUUID();
  const delegateAccountId = randomUUID();
  const as = (accountId: string, role = Role.CITIZEN, level: 1 | 2 = 2): Principal => ({ accountId, role, level });
  const activeLevel2 = { active: true, level: 2 as const };

  it.each<[string, Principal, boolean]>([
    ['the representative', as(representativeAccountId), true],
    ['the representative with a level-1 token', as(representativeAccountId, Role.CITIZEN, 1), false],
    ['a delegate', as(delegateAccountId), false],
    ['an administrator', as(randomUUID(), Role.ADMINISTRATOR), false],
    ['a stranger', as(randomUUID()), false],
  ])("'organisation.manageDelegations': %s → %s", (_who, principal, allowed) => {
    expect(can(principal, 'organisation.manageDelegations', { representativeAccountId, ...activeLevel2 })).toBe(allowed);
  });

  it('asks the registry too: a representative suspended since their token was issued, or back at level 1, manages nothing', () => {
    expect(can(as(representativeAccountId), 'organisation.manageDelegations', { representativeAccountId, active: false, level: 2 })).toBe(false);
    expect(can(as(representativeAccountId), 'organisation.manageDelegations', { representativeAccountId, active: true, level: 1 })).toBe(false);
    expect(can(as(representativeAccountId), 'organisation.register', { accountId: representativeAccountId, isCitizen: true, active: false, level: 2 })).toBe(false);
  });

  it.each<[string, Principal, boolean, boolean]>([
    ['the representative', as(representativeAccountId), true, true],
    ['a live delegate', as(delegateAccountId), true, false],
    ['an administrator', as(randomUUID(), Role.ADMINISTRATOR), true, true],
    ['a stranger', as(randomUUID()), false, false],
  ])("'organisation.read' and 'organisation.readDelegations': %s → %s, %s", (_who, principal, read, list) => {
    expect(can(principal, 'organisation.read', { representativeAccountId, delegateAccountIds: [delegateAccountId] })).toBe(read);
    expect(can(principal, 'organisation.readDelegations', { representativeAccountId })).toBe(list);
  });

  it.each<[string, Principal, string | null, boolean]>([
    ['the representative', as(representativeAccountId), null, true],
    ['a delegate under their live delegation', as(delegateAccountId), delegateAccountId, true],
    ['someone with no live delegation', as(delegateAccountId), null, false],
    ['an administrator', as(randomUUID(), Role.ADMINISTRATOR), null, false],
    ['a delegate whose token says level 1', as(delegateAccountId, Role.CITIZEN, 1), delegateAccountId, false],
  ])("'organisation.startActing': %s → %s", (_who, principal, delegate, allowed) => {
    expect(can(principal, 'organisation.startActing', { representativeAccountId, delegateAccountId: delegate, ...activeLevel2 })).toBe(allowed);
  });
});
