import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { IdentityAttribute } from '../accounts/identity-attribute';

/**
 * One identity QR code (mã QR định danh) a holder made: valid for 60 seconds and one scan. The payload in
 * the code only names this row; what a scan shows is decided here, integrated documents included, so what is
 * shared never makes the code any longer.
 */
@Entity({ name: 'qr_codes' })
export class IdentityQrCode {
  @PrimaryColumn('uuid') id: string;

  /** The holder. */
  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;

  /** What a scan shows besides the level: FULL_NAME and DATE_OF_BIRTH always, plus the holder's choice. */
  @Column({ name: 'shared_attributes', type: 'text', array: true }) sharedAttributes: IdentityAttribute[];

  /** Up to five of the holder's integrated documents (ids in the documents subgraph) a scan presents. */
  @Column({ name: 'shared_document_ids', type: 'uuid', array: true, default: () => "'{}'" }) sharedDocumentIds: string[];

  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;

  /** When the one scan that used it happened (verified_at); null while unused. */
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;

  /** Who verified the holder with it: a level-2 official or postal clerk, and where they act. */
  @Column({ name: 'verified_by_account_id', type: 'uuid', nullable: true }) verifiedByAccountId: string | null;

  @Column({ name: 'verified_by_role', type: 'text', nullable: true }) verifiedByRole: string | null;

  @Column({ name: 'verified_postal_point_code', type: 'text', nullable: true }) verifiedPostalPointCode: string | null;

  @Column({ name: 'verified_agency_code', type: 'text', nullable: true }) verifiedAgencyCode: string | null;
}
