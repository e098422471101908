import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum OtpPurpose {
  PHONE_VERIFICATION = 'PHONE_VERIFICATION',
  LOGIN = 'LOGIN',
  /** A forgotten password: the code to the registered phone lets the holder set a new one (passwords/). */
  PASSWORD_RESET = 'PASSWORD_RESET',
}

/**
 * One one-time code sent by SMS. Only its keyed hash is stored; wrong attempts are counted per challenge.
 * A login or password-reset code belongs to an account, a phone-verification code to a registration claim; a
 * password-reset decoy (a username nobody has) belongs to no one.
 */
@Entity({ name: 'otp_challenges' })
export class OtpChallenge {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'account_id', type: 'uuid', nullable: true }) accountId: string | null;
  @Column({ name: 'claim_id', type: 'uuid', nullable: true }) claimId: string | null;
  @Column({ type: 'text' }) purpose: OtpPurpose;
  @Column({ type: 'text' }) phone: string;
  @Column({ name: 'code_hash', type: 'text' }) codeHash: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'failed_attempts', type: 'int', default: 0 }) failedAttempts: number;
  @Column({ name: 'sends', type: 'int', default: 1 }) sends: number;
  /**
   * Answered like any other challenge (resend, wrong codes, attempts), but no code is ever sent and none
   * can match: the registration of a number that already has an account (see registration.service.ts), a
   * password reset for a username nobody has (see passwords/password.service.ts).
   */
  @Column({ type: 'boolean', default: false }) decoy: boolean;
  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true }) consumedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
