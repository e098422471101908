import { In, type DataSource } from 'typeorm';
import { Role } from '../../../shared/src';
import { Account, AccountKind, AccountStatus, AssuranceLevel, Gender } from '../accounts/account.entity';
import { hashPassword } from '../accounts/password-hash';

/** Development only: one account per role, all with this password (printed at start, listed in README). */
export const DEMO_PASSWORD = 'Demo@2026';

export interface DemoAccount { role: Role; username: string; fullName: string; phone: string; postalPointCode?: string; agencyCode?: string }

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { role: Role.CITIZEN, username: '001190000123', fullName: 'Nguyễn Thị Lan', phone: '+84912000001' },
  { role: Role.POSTAL_CLERK, username: 'clerk.hanoi', fullName: 'Trần Văn Bình', phone: '+84912000002', postalPointCode: '001-BC-0001' },
  { role: Role.OFFICIAL, username: 'official.c06', fullName: 'Lê Minh Châu', phone: '+84912000003', agencyCode: 'C06' },
  { role: Role.PARTNER_BANK, username: 'bank.vietcombank', fullName: 'Ngân hàng TMCP Ngoại thương Việt Nam', phone: '+84912000004' },
  { role: Role.FINANCE, username: 'finance.hq', fullName: 'Phạm Thu Hà', phone: '+84912000005' },
  { role: Role.ADMINISTRATOR, username: 'admin', fullName: 'Quản trị hệ thống', phone: '+84912000006' },
];

/** Idempotent: creates the demo accounts that are missing, leaves existing ones untouched. */
export async function seedIdentity(db: DataSource): Promise<Map<Role, string>> {
  const repo = db.getRepository(Account);
  const existing = await repo.find({ where: { username: In(DEMO_ACCOUNTS.map((d) => d.username)) } });
  const ids = new Map<Role, string>(existing.map((a) => [a.role, a.id]));
  const missing = DEMO_ACCOUNTS.filter((d) => !ids.has(d.role));
  // scrypt is deliberately slow: only hash when there is an account to create.
  const passwordHash = missing.length ? await hashPassword(DEMO_PASSWORD) : '';
  for (const demo of missing) {
    const citizen = demo.role === Role.CITIZEN;
    const account = repo.create({
      kind: demo.role === Role.PARTNER_BANK ? AccountKind.ORGANISATION : AccountKind.CITIZEN,
      role: demo.role, username: demo.username, personalIdNumber: citizen ? demo.username : null,
      fullName: demo.fullName, dateOfBirth: citizen ? '1990-04-12' : null, gender: citizen ? Gender.FEMALE : null,
      phone: demo.phone, email: null, passwordHash, level: AssuranceLevel.LEVEL_2, status: AccountStatus.ACTIVE,
      verificationPostalPointCode: citizen ? '001-BC-0001' : null, postalPointCode: demo.postalPointCode ?? null, agencyCode: demo.agencyCode ?? null,
    });
    await repo.insert(account);
    ids.set(demo.role, account.id);
  }
  return ids;
}
