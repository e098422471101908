import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * An organisation or enterprise (tổ chức, doanh nghiệp), identified by its tax code. It never logs in: its legal
 * representative (người đại diện theo pháp luật), a level-2 citizen, uses it and authorises delegates to act for
 * it, each with scopes and an expiry. Its own table, not `accounts`: an account is a person who logs in.
 */
@Entity({ name: 'organisations' })
@ObjectType({ description: 'An organisation or enterprise (tổ chức, doanh nghiệp), used by its legal representative and the delegates they authorise.' })
@Directive('@key(fields: "id")')
export class Organisation {
  @PrimaryGeneratedColumn('uuid')
  @Field(() => ID)
  id: string;

  @Column({ name: 'tax_code', type: 'text' })
  @Field({ description: 'Tax code (mã số thuế / mã số doanh nghiệp): 10 digits, or "0101234567-001" for a dependent unit (branch).' })
  taxCode: string;

  @Column({ type: 'text' })
  @Field()
  name: string;

  @Column({ name: 'representative_account_id', type: 'uuid' })
  representativeAccountId: string;

  /** Set by the service's clock (milliseconds, as list cursors carry it). */
  @Column({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When it was registered here.' })
  createdAt: Date;
}
