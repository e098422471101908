import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Gender } from '../accounts/account.entity';

/**
 * PENDING: waiting for its phone to be proved. CONFIRMED: it proved its phone first and became the account.
 * SUPERSEDED: another claim of the same identity became the account first. DECOY: made for an identity that
 * already had an account; answered like any other claim, but no code was ever sent for it, so it can never
 * be confirmed (and its registrant learns nothing).
 */
export enum ClaimStatus { PENDING = 'PENDING', CONFIRMED = 'CONFIRMED', SUPERSEDED = 'SUPERSEDED', DECOY = 'DECOY' }

/**
 * A registration that has not yet proved its phone (đăng ký chờ xác thực số điện thoại). It claims one
 * identity: a citizen's personal identification number, or a foreigner's passport number with its
 * nationality (exactly one of the two, checked by the database). Several claims of one identity, each with
 * its own phone, may wait side by side; none overwrites another. The first to prove its phone becomes the account.
 */
@Entity({ name: 'registration_claims' })
export class RegistrationClaim {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** A citizen's claim: their personal identification number (null for a foreigner's). */
  @Column({ name: 'personal_id_number', type: 'text', nullable: true }) personalIdNumber: string | null;
  /** A foreigner's claim: passport number (upper-case) and ISO 3166-1 alpha-2 nationality (null for a citizen's). */
  @Column({ name: 'passport_number', type: 'text', nullable: true }) passportNumber: string | null;
  @Column({ type: 'text', nullable: true }) nationality: string | null;
  /** E.164. */
  @Column({ type: 'text' }) phone: string;
  @Column({ name: 'full_name', type: 'text' }) fullName: string;
  @Column({ name: 'date_of_birth', type: 'date' }) dateOfBirth: string;
  @Column({ type: 'text' }) gender: Gender;
  @Column({ type: 'text', nullable: true }) email: string | null;
  /** The scrypt hash of the password chosen at registration; it becomes the account's. */
  @Column({ name: 'password_hash', type: 'text', select: false }) passwordHash?: string;
  @Column({ name: 'verification_postal_point_code', type: 'text' }) verificationPostalPointCode: string;
  @Column({ type: 'text' }) status: ClaimStatus;
  /** The account it became (CONFIRMED only). */
  @Column({ name: 'account_id', type: 'uuid', nullable: true }) accountId: string | null;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
