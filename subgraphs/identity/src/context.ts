import type DataLoader from 'dataloader';
import type { RequestInfo, ServiceContext } from '../../shared/src';
import type { Account } from './accounts/account.entity';

export interface IdentityContext extends ServiceContext, RequestInfo {
  loaders: { accounts: DataLoader<string, Account | null> };
}
