import { ForbiddenError, UnauthenticatedError } from '../errors';
import { DelegationScope, Role, type Principal } from './roles';

/**
 * What justifies staff reading a person's data: the postal points where the person was registered, activated
 * or served, the agencies that handled them, and the staff members who just verified their identity QR code.
 */
export interface PersonalDataResource {
  accountId: string;
  relatedPostalPointCodes: readonly string[];
  relatedAgencyCodes: readonly string[];
  recentlyVerifiedBy: readonly string[];
}

/** What the dossier rules need to know of a dossier: who applied, which agency handles it, where it was received. */
export interface DossierResource {
  /** Null for a person without an account whose paper dossier a postal clerk took in. */
  applicantAccountId: string | null;
  /** The agency of the dossier's public service (null when the service is unknown). */
  agencyCode: string | null;
  receivedPostalPointCode: string | null;
  /** The organisation the dossier was submitted for, if any. */
  organisationId: string | null;
}

/**
 * The graph's authorisation vocabulary: every action a caller can attempt, with the resource its rule is
 * decided on. Services assert an action with the resource at hand (`assertCan`), so each rule lives here,
 * once, instead of role lists spread over entities, resolvers and policies. Adding an action is adding a
 * line here and a rule below; the compiler then insists that every caller passes the right resource.
 */
export interface ActionResources {
  /** Read an account's non-personal fields (kind, level, status) once it has reached the caller. */
  'account.read': { accountId: string };
  /** Read an account's personal data: ID number, name, date of birth, gender, phone, e-mail, username, passport. */
  'account.readPersonalData': PersonalDataResource;
  /** Read who accessed an account's data. */
  'account.readAccessLog': { accountId: string };
  // account life cycle
  /** Suspend an account (SUSPEND of the status machine), with a reason. */
  'account.suspend': { accountId: string };
  /** Lift an account's suspension (REINSTATE), with a reason. */
  'account.reinstate': { accountId: string };
  /** Revoke an account for good (REVOKE), with a reason. */
  'account.revoke': { accountId: string };
  /** Read why and when an account's status changed. */
  'account.readStatusHistory': { accountId: string };
  /** Change one's own password (the old one is required too). */
  'account.changePassword': { accountId: string };
  /** List and end one's own sessions (logout, revokeSession). */
  'account.manageSessions': { accountId: string };
  /** List the systems one signed in to with single sign-on, and revoke one (connectedSystems, revokeConnectedSystem). */
  'account.manageConnectedSystems': { accountId: string };
  // level 2 and counter registration
  /** Check a person's chip ID card or passport in person and raise their account to level 2. */
  'account.activate': { accountId?: string };
  /** Register a person at a postal counter (their account is level 2 at once). */
  'account.registerAtCounter': Record<string, never>;
  /** Submit a dossier online for oneself. */
  'dossier.submit': { applicantAccountId: string };
  /** See a dossier (anyone not allowed is told it does not exist). */
  'dossier.read': DossierResource;
  /** List the dossiers an account has submitted. */
  'dossier.listForAccount': { applicantAccountId: string };
  /** Read what a dossier still owes (payments); the dossier itself was already shown to the caller. */
  'dossier.readAmountDue': { dossierId: string };
  /** Receive an online dossier (tiếp nhận) for the agency that handles it. */
  'dossier.receive': DossierResource;
  /** Process a dossier: start, ask for a supplement, mark the result ready, reject. */
  'dossier.process': DossierResource;
  /** The applicant's own steps: supply what was asked for, cancel before processing starts. */
  'dossier.amend': DossierResource;
  /** Hand a dossier's result over (pick-up, or out for delivery by post). */
  'dossier.returnResult': DossierResource;
  /** Take in a dossier at one's postal counter: on paper, or submitted online on the person's behalf. */
  'dossier.receiveAtCounter': Record<string, never>;
  /** List the dossiers an agency handles. */
  'dossier.listForAgency': { agencyCode: string };
  /** List the dossiers a postal point received. */
  'dossier.listForPostalPoint': { postalPointCode: string };
  /** Open or close a postal point. */
  'postalPoint.setOpen': { postalPointCode: string };
  // payments
  /** Collect money (or pay it out for an agency) at one's own postal counter. */
  'payment.collectAtCounter': { postalPointCode: string };
  /** Pay online: for oneself, or a dossier of an organisation one acts for with PAY_FEES. */
  'payment.payOnline': { payerAccountId: string | null; organisationId: string | null };
  /** Reverse a movement the same business day (postalPointCode: where it was recorded; null online). */
  'payment.reverse': { postalPointCode: string | null };
  /** Refund (part of) a collection of an earlier day. */
  'payment.refund': Record<string, never>;
  /** See a movement. */
  'payment.read': { payerAccountId: string | null; postalPointCode: string | null };
  /** List what an account paid and got back. */
  'payment.listForAccount': { payerAccountId: string };
  // end of day, reconciliation and settlement
  /** Declare the cash a postal point remitted at the end of a business day (nộp tiền cuối ngày). */
  'remittance.declare': { postalPointCode: string };
  /** Read a business day's reconciliation: of every point (postalPointCode null) or of one point. */
  'reconciliation.read': { postalPointCode: string | null };
  /** Download a business day's reconciliation as CSV. */
  'reconciliation.export': Record<string, never>;
  /** Close an agency's settlement batch for a business day. */
  'settlement.close': { agencyCode: string };
  /** Read settlement batches and their items, and download them as CSV (agencyCode null: every agency's). */
  'settlement.read': { agencyCode: string | null };
  // integrated documents (the wallet)
  /** Issue a document into a holder's wallet, as the agency that issues documents of its type. */
  'integratedDocument.issue': { issuerAgencyCode: string };
  /** Revoke a document, as its issuer. */
  'integratedDocument.revoke': { issuerAgencyCode: string };
  /** See a document by its id (anyone not allowed is told it does not exist). */
  'integratedDocument.read': { holderAccountId: string; issuerAgencyCode: string };
  /**
   * See a document its holder presented, handed over by another subgraph under the key `id holderAccountId`
   * (identity's QR verification, partner eKYC), which only the gateway can send: `holderAccountId` is the
   * document's real holder, `presentedHolderAccountId` the holder the representation names.
   */
  'integratedDocument.readPresented': { holderAccountId: string; presentedHolderAccountId: string };
  /** List an account's documents and its requests to add one. */
  'integratedDocument.listForAccount': { holderAccountId: string };
  /** Ask for a document of one's own to be added to one's wallet. */
  'integratedDocument.request': { holderAccountId: string };
  /** List, approve and refuse holders' requests, as the agency that issues documents of their type. */
  'integratedDocument.decideRequest': { issuerAgencyCode: string };
  // partners and consent
  /** Register a partner (a bank's machine client) and receive its client secret, once. */
  'partner.register': Record<string, never>;
  /** Manage a partner: rotate its secret, (de)activate it, read its client id. */
  'partner.manage': { partnerId: string };
  /** List the partners a citizen may consent to (their public facts: name, purpose, allowed attributes). */
  'partner.list': Record<string, never>;
  /** Grant a partner consent to check some of one's attributes (the holder only). */
  'consent.grant': { accountId: string };
  /** List an account's consents. */
  'consent.list': { accountId: string };
  /** Revoke a consent (its holder only; anyone else is told it does not exist). */
  'consent.revoke': { accountId: string };
  /** Check a claimed identity against the registry (eKYC), as the partner the token names. */
  'identity.verify': { partnerId: string };
  // single sign-on
  /** Register a relying party (a portal signing people in with OpenID Connect) and receive its client secret, once. */
  'relyingParty.register': Record<string, never>;
  /** List relying parties, deactivate or reactivate one. */
  'relyingParty.manage': { relyingPartyId: string | null };
  // identity QR
  /** Make an identity QR code: for oneself, a person (citizen or foreigner) whose account is active at level 2 as the registry says now. */
  'identityQr.create': { accountId: string; isPerson: boolean; active: boolean; level: 1 | 2 | null };
  /** Scan (verify) someone's identity QR code: what it shows goes to the holder's access log. */
  'identityQr.verify': Record<string, never>;
  // organisations and delegations
  /** Register an organisation with oneself as its legal representative; `active` and `level` are the caller's account as the registry says now. */
  'organisation.register': { accountId: string; isCitizen: boolean; active: boolean; level: 1 | 2 | null };
  /** See an organisation: its representative, the accounts holding a live delegation of it (the caller's alone will do), administrators. */
  'organisation.read': { representativeAccountId: string; delegateAccountIds: readonly string[] };
  /** Grant and revoke an organisation's delegations; `active` and `level` are the caller's account as the registry says now. */
  'organisation.manageDelegations': { representativeAccountId: string; active: boolean; level: 1 | 2 | null };
  /** List an organisation's delegations and read its activity log. */
  'organisation.readDelegations': { representativeAccountId: string };
  /** See one delegation: the organisation's representative, the delegate, administrators. */
  'delegation.read': { representativeAccountId: string; delegateAccountId: string };
  /** List the organisations one represents or holds a delegation of, and the delegations one holds. */
  'organisation.listForAccount': { accountId: string };
  /**
   * Obtain a token that acts for an organisation (actForOrganisation): its representative, or the delegate of
   * `delegateAccountId`'s live delegation; `active` and `level` are the caller's account as the registry says now.
   */
  'organisation.startActing': { representativeAccountId: string; delegateAccountId: string | null; active: boolean; level: 1 | 2 | null };
  /**
   * Act for an organisation with one scope: what other subgraphs ask before doing something in an organisation's
   * name (documents: submit a dossier for it with SUBMIT_DOSSIERS, list its dossiers with VIEW_DOSSIERS; payments:
   * PAY_FEES). Only a token from actForOrganisation naming that organisation and that scope passes.
   */
  'organisation.act': { organisationId: string; scope: DelegationScope };
}

export type Action = keyof ActionResources;

type Rule<A extends Action> = (principal: Principal, resource: ActionResources[A]) => boolean;

/** An administrator acts only with a level-2 account: a level-1 administrator token grants nothing more than a citizen's. */
const isAdministrator = (p: Principal) => p.role === Role.ADMINISTRATOR && p.level === 2;
/** Cục Cảnh sát quản lý hành chính về trật tự xã hội (C06): the police department that issues ID cards. */
export const POLICE_AGENCY = 'C06';
const isSelf = (p: Principal, accountId: string) => p.accountId === accountId;
/** A level-2 official of the agency (the agency a dossier's service belongs to, say). */
const isAgencyOfficial = (p: Principal, agencyCode: string | null) => p.level === 2 && p.role === Role.OFFICIAL && !!agencyCode && p.agencyCode === agencyCode;
/** Finance staff (kế toán) with a level-2 account. */
const isFinance = (p: Principal) => p.level === 2 && p.role === Role.FINANCE;
/** A level-2 clerk or supervisor of the postal point. */
const isPointStaff = (p: Principal, postalPointCode: string | null) => p.level === 2 && (p.role === Role.POSTAL_CLERK || p.role === Role.POSTAL_SUPERVISOR)
  && !!postalPointCode && p.postalPointCode === postalPointCode;
/** A level-2 postal clerk of the postal point. */
const isPointClerk = (p: Principal, postalPointCode: string | null) => p.level === 2 && p.role === Role.POSTAL_CLERK && !!postalPointCode && p.postalPointCode === postalPointCode;

const RULES: { [A in Action]: Rule<A> } = {
  'account.read': () => true,
  // Staff, holding level-2 accounts, see a person only through a relation that justifies it; the holder and
  // (level-2) administrators always.
  'account.readPersonalData': (p, r) => isSelf(p, r.accountId) || isAdministrator(p)
    || (p.level === 2 && p.role === Role.POSTAL_CLERK && !!p.postalPointCode && r.relatedPostalPointCodes.includes(p.postalPointCode))
    || (p.level === 2 && p.role === Role.OFFICIAL && !!p.agencyCode && r.relatedAgencyCodes.includes(p.agencyCode))
    || (p.level === 2 && (p.role === Role.POSTAL_CLERK || p.role === Role.OFFICIAL) && r.recentlyVerifiedBy.includes(p.accountId)),
  'account.readAccessLog': (p, r) => isSelf(p, r.accountId) || isAdministrator(p),
  // account life cycle: an administrator holding a level-2 account changes other people's status, never their
  // own (a second administrator decides on an administrator).
  'account.suspend': (p, r) => isAdministrator(p) && p.level === 2 && !isSelf(p, r.accountId),
  'account.reinstate': (p, r) => isAdministrator(p) && p.level === 2 && !isSelf(p, r.accountId),
  'account.revoke': (p, r) => isAdministrator(p) && p.level === 2 && !isSelf(p, r.accountId),
  'account.readStatusHistory': (p, r) => isSelf(p, r.accountId) || isAdministrator(p),
  // Partners are machine clients: they have no account, hence no password.
  'account.changePassword': (p, r) => isSelf(p, r.accountId) && p.role !== Role.PARTNER_BANK,
  'account.manageSessions': (p, r) => isSelf(p, r.accountId),
  // With the graph's own login only: a relying party's token (or a partner's) acts for the person in that one system,
  // and neither learns which other systems the person uses nor ends their access.
  'account.manageConnectedSystems': (p, r) => isSelf(p, r.accountId) && !p.clientId,
  // level 2 and counter registration: staff acting on identity must themselves hold a level-2 account. A clerk
  // acts at their own postal point; among officials only the police (C06, which issues ID cards) activates.
  'account.activate': (p) => p.level === 2 && ((p.role === Role.POSTAL_CLERK && !!p.postalPointCode) || (p.role === Role.OFFICIAL && p.agencyCode === POLICE_AGENCY)),
  'account.registerAtCounter': (p) => p.level === 2 && p.role === Role.POSTAL_CLERK && !!p.postalPointCode,
  'dossier.submit': (p, r) => p.role === Role.CITIZEN && isSelf(p, r.applicantAccountId),
  'dossier.read': (p, r) => {
    switch (p.role) {
      case Role.ADMINISTRATOR: return true;
      case Role.OFFICIAL: return !!r.agencyCode && p.agencyCode === r.agencyCode;
      case Role.POSTAL_CLERK: return !!r.receivedPostalPointCode && p.postalPointCode === r.receivedPostalPointCode;
      // The applicant; for a dossier of an organisation, also whoever acts for it with VIEW_DOSSIERS.
      default: return (r.applicantAccountId !== null && isSelf(p, r.applicantAccountId)) || (!!r.organisationId && actsFor(p, r.organisationId, DelegationScope.VIEW_DOSSIERS));
    }
  },
  'dossier.listForAccount': (p, r) => isSelf(p, r.applicantAccountId) || isAdministrator(p),
  // The dossier life cycle: staff act with a level-2 account, for their own agency or postal point.
  'dossier.receive': (p, r) => isAgencyOfficial(p, r.agencyCode),
  'dossier.process': (p, r) => isAgencyOfficial(p, r.agencyCode),
  'dossier.amend': (p, r) => p.role === Role.CITIZEN
    && ((r.applicantAccountId !== null && isSelf(p, r.applicantAccountId)) || (!!r.organisationId && actsFor(p, r.organisationId, DelegationScope.SUBMIT_DOSSIERS))),
  'dossier.returnResult': (p, r) => isAgencyOfficial(p, r.agencyCode) || isPointClerk(p, r.receivedPostalPointCode),
  'dossier.receiveAtCounter': (p) => p.level === 2 && p.role === Role.POSTAL_CLERK && !!p.postalPointCode,
  'dossier.listForAgency': (p, r) => isAgencyOfficial(p, r.agencyCode) || isAdministrator(p),
  'dossier.listForPostalPoint': (p, r) => isPointClerk(p, r.postalPointCode) || isAdministrator(p),
  // Representations of dossiers reach payments only from the gateway (signed proof), which took them from
  // documents after its 'dossier.read' check: a logged-in caller is all that is left to ask for.
  'dossier.readAmountDue': () => true,
  'postalPoint.setOpen': (p) => isAdministrator(p),
  // payments: a level-2 clerk or supervisor handles money at their own counter; online, a citizen pays for
  // themself or for an organisation they act for with PAY_FEES; corrections are finance's, or, the same day at a
  // counter, that point's supervisor's (never the clerk who recorded it alone).
  'payment.collectAtCounter': (p, r) => isPointStaff(p, r.postalPointCode),
  'payment.payOnline': (p, r) => p.role === Role.CITIZEN
    && ((r.payerAccountId !== null && isSelf(p, r.payerAccountId)) || (!!r.organisationId && actsFor(p, r.organisationId, DelegationScope.PAY_FEES))),
  'payment.reverse': (p, r) => isFinance(p) || (p.level === 2 && p.role === Role.POSTAL_SUPERVISOR && !!r.postalPointCode && p.postalPointCode === r.postalPointCode),
  'payment.refund': (p) => isFinance(p),
  'payment.read': (p, r) => (r.payerAccountId !== null && isSelf(p, r.payerAccountId)) || isFinance(p) || isAdministrator(p) || isPointStaff(p, r.postalPointCode),
  'payment.listForAccount': (p, r) => isSelf(p, r.payerAccountId) || isFinance(p) || isAdministrator(p),
  // end of day: a point's own level-2 staff declare its cash; finance (and administrators, read-only) see every
  // point's reconciliation, the point's staff their own; settlement and every CSV export are finance's alone.
  'remittance.declare': (p, r) => isPointStaff(p, r.postalPointCode),
  'reconciliation.read': (p, r) => isFinance(p) || isAdministrator(p) || isPointStaff(p, r.postalPointCode),
  'reconciliation.export': (p) => isFinance(p),
  'settlement.close': (p) => isFinance(p),
  'settlement.read': (p) => isFinance(p),
  // integrated documents: the issuer's level-2 officials state, revoke and confirm what their agency issues; a
  // wallet is its holder's (and level-2 administrators'). A presented document goes, for the holder its
  // representation names and no other, to whom identity hands it: level-2 staff scanning a QR code, a partner.
  'integratedDocument.issue': (p, r) => isAgencyOfficial(p, r.issuerAgencyCode),
  'integratedDocument.revoke': (p, r) => isAgencyOfficial(p, r.issuerAgencyCode),
  'integratedDocument.read': (p, r) => isSelf(p, r.holderAccountId) || isAdministrator(p) || isAgencyOfficial(p, r.issuerAgencyCode),
  'integratedDocument.readPresented': (p, r) => r.holderAccountId.toLowerCase() === r.presentedHolderAccountId.toLowerCase()
    && (isSelf(p, r.holderAccountId) || isAdministrator(p) || p.role === Role.PARTNER_BANK
      || (p.level === 2 && (p.role === Role.POSTAL_CLERK || p.role === Role.OFFICIAL))),
  'integratedDocument.listForAccount': (p, r) => isSelf(p, r.holderAccountId) || isAdministrator(p),
  'integratedDocument.request': (p, r) => p.role === Role.CITIZEN && isSelf(p, r.holderAccountId),
  'integratedDocument.decideRequest': (p, r) => isAgencyOfficial(p, r.issuerAgencyCode),
  // partners and consent: partners are registered and managed by administrators; a consent is the holder's
  // alone; only a partner's own machine client checks identities, and what it sees is decided by consent.
  'partner.register': (p) => isAdministrator(p) && p.level === 2,
  'partner.manage': (p) => isAdministrator(p) && p.level === 2,
  'partner.list': (p) => p.role === Role.CITIZEN || isAdministrator(p),
  'consent.grant': (p, r) => p.role === Role.CITIZEN && isSelf(p, r.accountId),
  'consent.list': (p, r) => isSelf(p, r.accountId) || isAdministrator(p),
  'consent.revoke': (p, r) => p.role === Role.CITIZEN && isSelf(p, r.accountId),
  'identity.verify': (p, r) => p.role === Role.PARTNER_BANK && p.accountId === r.partnerId,
  // single sign-on: relying parties are registered and managed by level-2 administrators, like partners.
  'relyingParty.register': (p) => isAdministrator(p),
  'relyingParty.manage': (p) => isAdministrator(p),
  // identity QR (VNeID): a level-2 holder shows their identity; a level-2 official or postal clerk, acting for
  // their agency or postal point, scans it. The token's level and the registry's must both say level 2.
  'identityQr.create': (p, r) => p.role === Role.CITIZEN && p.level === 2 && isSelf(p, r.accountId) && r.isPerson && r.active && r.level === 2,
  'identityQr.verify': (p) => p.level === 2 && ((p.role === Role.POSTAL_CLERK && !!p.postalPointCode) || (p.role === Role.OFFICIAL && !!p.agencyCode)),
  // organisations and delegations: an organisation is used by people. Its legal representative (a citizen active at
  // level 2, in the token and in the registry) registers it and alone grants and revokes delegations; delegates see
  // it while their delegation lasts; administrators read it, never manage it. Acting in its name takes a token from
  // actForOrganisation that names the organisation and the scope (the representative's names every scope).
  'organisation.register': (p, r) => isActiveLevel2Citizen(p, r) && r.isCitizen && isSelf(p, r.accountId),
  'organisation.read': (p, r) => isSelf(p, r.representativeAccountId) || r.delegateAccountIds.includes(p.accountId) || isAdministrator(p),
  'organisation.manageDelegations': (p, r) => isActiveLevel2Citizen(p, r) && isSelf(p, r.representativeAccountId),
  'organisation.readDelegations': (p, r) => isSelf(p, r.representativeAccountId) || isAdministrator(p),
  'delegation.read': (p, r) => isSelf(p, r.representativeAccountId) || isSelf(p, r.delegateAccountId) || isAdministrator(p),
  'organisation.listForAccount': (p, r) => isSelf(p, r.accountId),
  'organisation.startActing': (p, r) => isActiveLevel2Citizen(p, r)
    && (isSelf(p, r.representativeAccountId) || (r.delegateAccountId !== null && isSelf(p, r.delegateAccountId))),
  'organisation.act': (p, r) => actsFor(p, r.organisationId, r.scope),
};

/** The principal's token acts for the organisation with the scope (a delegate's, or the representative's: every scope). */
function actsFor(p: Principal, organisationId: string, scope: DelegationScope): boolean {
  return p.role === Role.CITIZEN && p.level === 2 && !!p.actingFor
    && p.actingFor.organisationId === organisationId.toLowerCase() && p.actingFor.scopes.includes(scope);
}

/** A citizen whose token says level 2 and whose account, as the registry says now, is active at level 2. */
function isActiveLevel2Citizen(p: Principal, registry: { active: boolean; level: 1 | 2 | null }): boolean {
  return p.role === Role.CITIZEN && p.level === 2 && registry.active && registry.level === 2;
}

/** Whether `principal` may do `action` to `resource`; anonymous callers may do nothing that is listed here. */
export function can<A extends Action>(principal: Principal | null, action: A, resource: ActionResources[A]): boolean {
  return !!principal && (RULES[action] as Rule<A>)(principal, resource);
}

/** Like `can`, but throws: UNAUTHENTICATED for an anonymous caller, FORBIDDEN naming the action otherwise. */
export function assertCan<A extends Action>(principal: Principal | null, action: A, resource: ActionResources[A], message = 'You are not allowed to do this.'): Principal {
  if (!principal) throw new UnauthenticatedError();
  if (!(RULES[action] as Rule<A>)(principal, resource)) {
    const error = new ForbiddenError(message);
    Object.assign(error.extensions, { action });
    throw error;
  }
  return principal;
}
