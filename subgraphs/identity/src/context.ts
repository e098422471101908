import type DataLoader from 'dataloader';
import type { RequestInfo, ServiceContext } from '../../shared/src';
import type { Account } from './accounts/account.entity';
import type { Relations, StaffRead } from './accounts/personal-data';

export interface IdentityContext extends ServiceContext, RequestInfo {
  loaders: {
    accounts: DataLoader<string, Account | null>;
    /** What relates each account to postal points, agencies and staff (who may read its personal data). */
    relations: DataLoader<string, Relations>;
    /** Staff reads of personal data, written to the holder's access log before the value is returned. */
    staffReads: DataLoader<StaffRead, true, string>;
  };
}
