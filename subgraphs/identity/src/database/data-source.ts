import { openDatabase, type Database, type Logger } from '../../../shared/src';
import { Account } from '../accounts/account.entity';
import { OtpChallenge } from '../otp/otp-challenge.entity';
import { RegistrationClaim } from '../registrations/registration-claim.entity';
import { RefreshToken } from '../sessions/refresh-token.entity';
import { CreateIdentity1763856000000 } from './migrations/1763856000000-create-identity';
import { RegistrationClaims1795654800000 } from './migrations/1795654800000-registration-claims';
import { AccessLogAndAccountDetails1795700000000 } from './migrations/1795700000000-access-log-and-account-details';
import { AccessLogEntry } from '../access-log/access-log.entity';
import { AccountStatusChange } from '../accounts/account-lifecycle.entity';
import { AccountLifecycle1795710000000 } from './migrations/1795710000000-account-lifecycle';
import { AccountVerification } from '../activation/account-verification.entity';
import { AccountVerifications1795740000000 } from './migrations/1795740000000-account-verifications';
import { AccountRelations1795750000000 } from './migrations/1795750000000-account-relations';
import { IdentityQrCode } from '../qr/identity-qr.entity';
import { IdentityQrCodes1795730000000 } from './migrations/1795730000000-identity-qr-codes';
import { ForeignerRegistrationClaims1795770000000 } from './migrations/1795770000000-foreigner-registration-claims';

import { Partner } from '../partners/partner.entity';
import { Consent } from '../consents/consent.entity';
import { Partners1795720000000 } from './migrations/1795720000000-partners';
import { Consents1795720000001 } from './migrations/1795720000001-consents';
import { Organisation } from '../organisations/organisation.entity';
import { Delegation } from '../organisations/delegation.entity';
import { OrganisationActivityEntry } from '../organisations/organisation-activity.entity';
import { Organisations1795760000000 } from './migrations/1795760000000-organisations';
import { IdentityOutbox1795780000000 } from './migrations/1795780000000-identity-outbox';
import { SharedDocuments1795830000000 } from './migrations/1795830000000-shared-documents';
import { PostalSupervisors1795850000000 } from './migrations/1795850000000-postal-supervisors';
import { SingleSignOn1795870000000 } from './migrations/1795870000000-single-sign-on';
import { ConnectedSystems1795890000000 } from './migrations/1795890000000-connected-systems';
import { PartnerRequestLimits1795900000000 } from './migrations/1795900000000-partner-request-limits';
import { RelyingParty } from '../sso/relying-party.entity';

export const IDENTITY_SCHEMA = 'identity';

export function openIdentityDatabase(url: string, log: Logger): Promise<Database> {
  return openDatabase({
    url, schema: IDENTITY_SCHEMA, logger: log,
    entities: [Account, RegistrationClaim, OtpChallenge, RefreshToken, AccessLogEntry, AccountStatusChange, AccountVerification, IdentityQrCode, Partner, Consent,
      Organisation, Delegation, OrganisationActivityEntry, RelyingParty],
    migrations: [
      CreateIdentity1763856000000, RegistrationClaims1795654800000, AccessLogAndAccountDetails1795700000000,
      AccountLifecycle1795710000000,
      AccountVerifications1795740000000, AccountRelations1795750000000,
      IdentityQrCodes1795730000000,
      ForeignerRegistrationClaims1795770000000,
      Partners1795720000000, Consents1795720000001,
      Organisations1795760000000,
      IdentityOutbox1795780000000,
      SharedDocuments1795830000000,
      PostalSupervisors1795850000000,
      SingleSignOn1795870000000,
      ConnectedSystems1795890000000,
      PartnerRequestLimits1795900000000,
    ],
  });
}
