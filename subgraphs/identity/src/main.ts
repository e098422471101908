import '../../shared/src/tracing-entry';
import 'reflect-metadata';
import { runMain } from '../../shared/src/main';
import { loadIdentityConfig } from './config';
import { startIdentity } from './index';

runMain('identity', () => startIdentity(loadIdentityConfig()));
