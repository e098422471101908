import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * One act for an organisation: who, when, under which delegation (none: as its legal representative), which
 * operation, on what. Append-only: the table refuses UPDATE and DELETE (see the migration).
 */
@Entity({ name: 'organisation_activity' })
@ObjectType({ description: 'One act for an organisation: who, when, under which delegation, which operation. Nobody can edit it.' })
export class OrganisationActivityEntry {
  @PrimaryGeneratedColumn('uuid') @Field(() => ID) id: string;

  /** The order entries were written in; pages are cut on it (a bigint, read as a string). */
  @Column({ type: 'bigint', insert: false, update: false }) seq: string;

  @Column({ name: 'organisation_id', type: 'uuid' }) organisationId: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' }) @Field() occurredAt: Date;

  @Column({ name: 'actor_account_id', type: 'uuid' }) actorAccountId: string;

  @Column({ name: 'delegation_id', type: 'uuid', nullable: true }) delegationId: string | null;

  @Column({ type: 'text' })
  @Field({ description: 'The operation (the GraphQL mutation): registerOrganisation, grantDelegation, revokeDelegation, actForOrganisation, or any other identity mutation sent with a token acting for the organisation.' })
  operation: string;

  @Column({ name: 'subject_id', type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'What it was done to, when it names one thing (the delegation granted or revoked).' })
  subjectId: string | null;
}
