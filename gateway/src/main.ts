import '../../subgraphs/shared/src/tracing-entry';
import 'reflect-metadata';
import { runMain } from '../../subgraphs/shared/src/main';
import { loadGatewayConfig } from './config';
import { startGateway } from './index';

runMain('gateway', () => startGateway(loadGatewayConfig()));
