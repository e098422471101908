import { openDatabase, type Database, type Logger } from '../../../shared/src';
import { Account } from '../accounts/account.entity';
import { OtpChallenge } from '../otp/otp-challenge.entity';
import { RegistrationClaim } from '../registrations/registration-claim.entity';
import { RefreshToken } from '../sessions/refresh-token.entity';
import { CreateIdentity1763856000000 } from './migrations/1763856000000-create-identity';
import { RegistrationClaims1795654800000 } from './migrations/1795654800000-registration-claims';
import { AccessLogAndAccountDetails1795700000000 } from './migrations/1795700000000-access-log-and-account-details';
import { AccessLogEntry } from '../access-log/access-log.entity';
import { AccountVerification } from '../activation/account-verification.entity';
import { AccountVerifications1795740000000 } from './migrations/1795740000000-account-verifications';

export const IDENTITY_SCHEMA = 'identity';

export function openIdentityDatabase(url: string, log: Logger): Promise<Database> {
  return openDatabase({
    url, schema: IDENTITY_SCHEMA, logger: log,
    entities: [Account, RegistrationClaim, OtpChallenge, RefreshToken, AccessLogEntry, AccountVerification],
    migrations: [
      CreateIdentity1763856000000, RegistrationClaims1795654800000, AccessLogAndAccountDetails1795700000000,
      AccountVerifications1795740000000,
    ],
  });
}
