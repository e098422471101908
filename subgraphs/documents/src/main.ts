import '../../shared/src/tracing-entry';
import 'reflect-metadata';
import { runMain } from '../../shared/src/main';
import { loadDocumentsConfig } from './config';
import { startDocuments } from './index';

runMain('documents', () => startDocuments(loadDocumentsConfig()));
