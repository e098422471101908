import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from '../../../shared/src';
import { AccountStatus } from './account.entity';
import { AccountEvent } from './account-status';

registerEnumType(AccountEvent, { name: 'AccountEvent', description: 'What changed an account\'s status (see the account status machine).' });

/**
 * One change of an account's status by staff (lịch sử trạng thái): who, when, from, to and why. Written in
 * the same transaction as the change; append-only (the table refuses UPDATE and DELETE, see the migration).
 */
@Entity({ name: 'account_status_history' })
@ObjectType({ description: 'One change of an account\'s status: when, from, to and why. Nobody can edit it.' })
export class AccountStatusChange {
  @PrimaryGeneratedColumn('uuid') @Field(() => ID) id: string;

  /** The order changes were written in; pages are cut on it (a bigint, read as a string). */
  @Column({ type: 'bigint', insert: false, update: false }) seq: string;

  @Column({ name: 'account_id', type: 'uuid' }) accountId: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' }) @Field() occurredAt: Date;

  @Column({ type: 'text' }) @Field(() => AccountEvent) event: AccountEvent;

  @Column({ name: 'from_status', type: 'text' }) @Field(() => AccountStatus) fromStatus: AccountStatus;

  @Column({ name: 'to_status', type: 'text' }) @Field(() => AccountStatus) toStatus: AccountStatus;

  @Column({ type: 'text' }) @Field({ description: 'The reason staff gave (1–500 characters).' }) reason: string;

  /** Kept for audit; the holder reads the role, not the person. */
  @Column({ name: 'changed_by_account_id', type: 'uuid' }) changedByAccountId: string;

  @Column({ name: 'changed_by_role', type: 'text' }) @Field(() => Role, { description: 'The role of whoever made the change (an administrator).' }) changedByRole: Role;
}
