import { In, IsNull, type DataSource } from 'typeorm';
import { Role } from '../../../shared/src';
import { Account, AccountKind, AccountStatus, AssuranceLevel, Gender } from '../accounts/account.entity';
import { hashPassword } from '../accounts/password-hash';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { Partner } from '../partners/partner.entity';
import { hashClientSecret, verifyClientSecret } from '../partners/partner-secret';
import { Consent } from '../consents/consent.entity';
import { purposeKey } from '../consents/consent-rules';

/** Development only: one account per role, all with this password (printed at start, listed in README). */
export const DEMO_PASSWORD = 'Demo@2026';

export interface DemoAccount {
  role: Role; username: string; fullName: string; phone: string; postalPointCode?: string; agencyCode?: string;
  /** A citizen still waiting for the in-person check (level 1), to try activation at the demo clerk's counter. */
  awaitingActivation?: { dateOfBirth: string; gender: Gender };
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { role: Role.CITIZEN, username: '001190000123', fullName: 'Nguyễn Thị Lan', phone: '+84912000001' },
  { role: Role.CITIZEN, username: '001195004567', fullName: 'Phạm Minh Anh', phone: '+84912000007', awaitingActivation: { dateOfBirth: '1995-08-20', gender: Gender.FEMALE } },
  { role: Role.POSTAL_CLERK, username: 'clerk.hanoi', fullName: 'Trần Văn Bình', phone: '+84912000002', postalPointCode: '001-BC-0001' },
  { role: Role.POSTAL_SUPERVISOR, username: 'supervisor.hanoi', fullName: 'Vũ Thị Hoa', phone: '+84912000009', postalPointCode: '001-BC-0001' },
  { role: Role.OFFICIAL, username: 'official.c06', fullName: 'Lê Minh Châu', phone: '+84912000003', agencyCode: 'C06' },
  // Cục Đường bộ: receives and processes the demo citizen's driving licence exchange, and issues licences.
  { role: Role.OFFICIAL, username: 'official.cdb', fullName: 'Đỗ Quang Huy', phone: '+84912000008', agencyCode: 'CDB' },
  { role: Role.FINANCE, username: 'finance.hq', fullName: 'Phạm Thu Hà', phone: '+84912000005' },
  { role: Role.ADMINISTRATOR, username: 'admin', fullName: 'Quản trị hệ thống', phone: '+84912000006' },
];

/**
 * Idempotent: creates the demo accounts that are missing, leaves existing ones untouched. Returns, per role,
 * the first demo account of that role (the level-2 citizen for CITIZEN).
 */
export async function seedIdentity(db: DataSource): Promise<Map<Role, string>> {
  const repo = db.getRepository(Account);
  const existing = await repo.find({ where: { username: In(DEMO_ACCOUNTS.map((d) => d.username)) } });
  const byUsername = new Map(existing.map((a) => [a.username, a.id]));
  const missing = DEMO_ACCOUNTS.filter((d) => !byUsername.has(d.username));
  // scrypt is deliberately slow: only hash when there is an account to create.
  const passwordHash = missing.length ? await hashPassword(DEMO_PASSWORD) : '';
  for (const demo of missing) {
    const citizen = demo.role === Role.CITIZEN;
    const waiting = demo.awaitingActivation;
    const account = repo.create({
      kind: AccountKind.CITIZEN,
      role: demo.role, username: demo.username, personalIdNumber: citizen ? demo.username : null,
      fullName: demo.fullName, dateOfBirth: citizen ? waiting?.dateOfBirth ?? '1990-04-12' : null, gender: citizen ? waiting?.gender ?? Gender.FEMALE : null,
      phone: demo.phone, email: null, passwordHash,
      level: waiting ? AssuranceLevel.LEVEL_1 : AssuranceLevel.LEVEL_2, status: waiting ? AccountStatus.PENDING_IN_PERSON_VERIFICATION : AccountStatus.ACTIVE,
      verificationPostalPointCode: citizen ? '001-BC-0001' : null, postalPointCode: demo.postalPointCode ?? null, agencyCode: demo.agencyCode ?? null,
    });
    await repo.insert(account);
    byUsername.set(demo.username, account.id);
  }
  const ids = new Map<Role, string>();
  for (const demo of DEMO_ACCOUNTS) if (!ids.has(demo.role)) ids.set(demo.role, byUsername.get(demo.username)!);
  return ids;
}

/**
 * Development only: a partner bank is a machine client, not an account (partners never log in). Its secret is
 * made by `npm start`, kept in .data/demo-partner-secret and printed; it is never in the repository.
 */
export const DEMO_PARTNER = {
  clientId: 'bank.vietcombank',
  name: 'Ngân hàng TMCP Ngoại thương Việt Nam (Vietcombank)',
  purpose: 'Mở tài khoản thanh toán',
  allowedAttributes: [IdentityAttribute.PERSONAL_ID_NUMBER, IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH, IdentityAttribute.GENDER, IdentityAttribute.PHONE],
};

/**
 * Idempotent: the demo partner with `secret` (its stored hash is replaced when it no longer matches, e.g. after the
 * secret file was deleted), and — when `consentFrom` names the demo citizen — a current consent of theirs to it.
 */
export async function seedDemoPartner(db: DataSource, secret: string, consentFrom?: string): Promise<{ partnerId: string; clientId: string }> {
  const partners = db.getRepository(Partner);
  let partner = await partners.createQueryBuilder('p').addSelect('p.secretHash').where('p.client_id = :c', { c: DEMO_PARTNER.clientId }).getOne();
  if (!partner) {
    partner = partners.create({ ...DEMO_PARTNER, secretHash: hashClientSecret(secret), secretRotatedAt: new Date(), active: true, createdByAccountId: null });
    await partners.insert(partner);
  } else if (!verifyClientSecret(secret, partner.secretHash ?? '')) {
    await partners.update({ id: partner.id }, { secretHash: hashClientSecret(secret), secretRotatedAt: new Date() });
  }
  if (consentFrom) {
    const key = purposeKey(DEMO_PARTNER.purpose);
    const current = await db.getRepository(Consent).createQueryBuilder('c')
      .where('c.account_id = :a AND c.partner_id = :p AND c.purpose_key = :k AND c.revoked_at IS NULL AND c.replaced_at IS NULL AND c.expires_at > now()', { a: consentFrom, p: partner.id, k: key })
      .getOne();
    if (!current) {
      const now = new Date();
      await db.getRepository(Consent).update({ accountId: consentFrom, partnerId: partner.id, purposeKey: key, revokedAt: IsNull(), replacedAt: IsNull() }, { replacedAt: now });
      await db.getRepository(Consent).insert({
        accountId: consentFrom, partnerId: partner.id, attributes: [IdentityAttribute.FULL_NAME, IdentityAttribute.DATE_OF_BIRTH, IdentityAttribute.GENDER],
        purpose: DEMO_PARTNER.purpose, purposeKey: key, grantedAt: now, expiresAt: new Date(now.getTime() + 180 * 86_400_000), revokedAt: null, replacedAt: null,
      });
    }
  }
  return { partnerId: partner.id, clientId: DEMO_PARTNER.clientId };
}
