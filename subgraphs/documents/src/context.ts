import type DataLoader from 'dataloader';
import type { SubgraphRequestContext } from '../../shared/src';
import type { Agency } from './agencies/agency.entity';
import type { Dossier } from './dossiers/dossier.entity';
import type { PublicService } from './public-services/public-service.entity';

export interface DocumentsLoaders {
  services: DataLoader<string, PublicService | null>;
  dossiers: DataLoader<string, Dossier | null>;
  agencies: DataLoader<string, Agency | null>;
}

export type DocumentsContext = SubgraphRequestContext<DocumentsLoaders>;
