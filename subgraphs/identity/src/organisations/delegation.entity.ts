import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DelegationScope } from '../../../shared/src';

export enum DelegationStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  /** The representative revoked it. */
  REVOKED = 'REVOKED',
  /** The representative granted the same person a new delegation, which took its place. */
  REPLACED = 'REPLACED',
}
registerEnumType(DelegationStatus, { name: 'DelegationStatus' });

/**
 * A delegation (ủy quyền): the legal representative lets another person act for the organisation, with some scopes,
 * until a date. Rows are never deleted: revoked, replaced and expired ones stay as the organisation's history.
 */
@Entity({ name: 'delegations' })
@ObjectType({ description: 'A delegation: a person may act for an organisation, with these scopes, until a date.' })
export class Delegation {
  @PrimaryGeneratedColumn('uuid')
  @Field(() => ID)
  id: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  @Field(() => ID)
  organisationId: string;

  @Column({ name: 'delegate_account_id', type: 'uuid' })
  delegateAccountId: string;

  @Column({ type: 'text', array: true })
  @Field(() => [DelegationScope])
  scopes: DelegationScope[];

  @Column({ name: 'granted_by_account_id', type: 'uuid' })
  grantedByAccountId: string;

  @Column({ name: 'granted_at', type: 'timestamptz' })
  @Field()
  grantedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  @Field()
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_by_account_id', type: 'uuid', nullable: true })
  revokedByAccountId: string | null;

  @Column({ name: 'replaced_at', type: 'timestamptz', nullable: true })
  replacedAt: Date | null;

  /** Not stored: what the delegation is at the moment it is read (see delegationStatus). */
  @Field(() => DelegationStatus)
  status: DelegationStatus;
}
