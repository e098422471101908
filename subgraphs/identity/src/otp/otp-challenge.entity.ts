import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum OtpPurpose { PHONE_VERIFICATION = 'PHONE_VERIFICATION', LOGIN = 'LOGIN' }

/** One one-time code sent by SMS. Only its hash is stored; wrong attempts are counted per challenge. */
@Entity({ name: 'otp_challenges' })
export class OtpChallenge {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;
  @Column({ type: 'text' }) purpose: OtpPurpose;
  @Column({ type: 'text' }) phone: string;
  @Column({ name: 'code_hash', type: 'text' }) codeHash: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'failed_attempts', type: 'int', default: 0 }) failedAttempts: number;
  @Column({ name: 'sends', type: 'int', default: 1 }) sends: number;
  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true }) consumedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
