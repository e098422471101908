import '../../shared/src/tracing-entry';
import 'reflect-metadata';
import { runMain } from '../../shared/src/main';
import { loadPaymentsConfig } from './config';
import { startPayments } from './index';

runMain('payments', () => startPayments(loadPaymentsConfig()));
