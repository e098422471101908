import type DataLoader from 'dataloader';
import type { SubgraphRequestContext } from '../../shared/src';
import type { Agency } from './agencies/agency.entity';
import type { Holidays } from './dossiers/working-days';
import type { Dossier } from './dossiers/dossier.entity';
import type { PublicService } from './public-services/public-service.entity';
import type { IntegratedDocument } from './wallet/integrated-document.entity';
import type { HolderAndType } from './wallet/integrated-document.loader';

export interface DocumentsLoaders {
  services: DataLoader<string, PublicService | null>;
  dossiers: DataLoader<string, Dossier | null>;
  agencies: DataLoader<string, Agency | null>;
  /** Vietnam's public holidays, read once per request (dossiers/holiday-calendar.ts). */
  holidays: () => Promise<Holidays>;
  integratedDocuments: DataLoader<string, IntegratedDocument | null>;
  /** A holder's VALID documents of one type (DocumentsOfType). */
  validDocumentsOfType: DataLoader<HolderAndType, IntegratedDocument[], string>;
}

export type DocumentsContext = SubgraphRequestContext<DocumentsLoaders>;
