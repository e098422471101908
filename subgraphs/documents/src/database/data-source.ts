import { openDatabase, type Database, type Logger } from '../../../shared/src';
import { Agency } from '../agencies/agency.entity';
import { Dossier, DossierAttachment, DossierEvent } from '../dossiers/dossier.entity';
import { PublicService } from '../public-services/public-service.entity';
import { IntegratedDocument } from '../wallet/integrated-document.entity';
import { DocumentIntegrationRequest } from '../wallet/integration-request.entity';
import { CreateDocuments1763856000000 } from './migrations/1763856000000-create-documents';
import { PublicServiceCatalogue1795564800000 } from './migrations/1795564800000-public-service-catalogue';
import { Outbox1795750000000 } from './migrations/1795750000000-outbox';
import { OrganisationDossiers1795790000000 } from './migrations/1795790000000-organisation-dossiers';
import { AgenciesAndServiceGroups1795800000000 } from './migrations/1795800000000-agencies-and-service-groups';
import { DossierLifeCycle1795810000000 } from './migrations/1795810000000-dossier-life-cycle';
import { IntegratedDocuments1795820000000 } from './migrations/1795820000000-integrated-documents';
import { DossierAttachmentsAndResults1795840000000 } from './migrations/1795840000000-dossier-attachments-and-results';

export const DOCUMENTS_SCHEMA = 'documents';

export function openDocumentsDatabase(url: string, log: Logger): Promise<Database> {
  return openDatabase({
    url, schema: DOCUMENTS_SCHEMA, logger: log,
    entities: [Agency, PublicService, Dossier, DossierEvent, DossierAttachment, IntegratedDocument, DocumentIntegrationRequest],
    migrations: [CreateDocuments1763856000000, PublicServiceCatalogue1795564800000, Outbox1795750000000, OrganisationDossiers1795790000000, AgenciesAndServiceGroups1795800000000, DossierLifeCycle1795810000000, IntegratedDocuments1795820000000, DossierAttachmentsAndResults1795840000000],
  });
}
