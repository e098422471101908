import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { bigintMoney, DateScalar, MoneyScalar, Role } from '../../../shared/src';

/**
 * The cash a postal point declares it remitted at the end of a business day (nộp tiền cuối ngày): one per point
 * and day, never changed. Reconciliation compares it with what the point owed that day.
 */
@Entity({ name: 'remittances' })
@ObjectType({ description: 'A postal point\'s end-of-day cash declaration (nộp tiền cuối ngày). One per point and business day, never changed.' })
export class Remittance {
  @Column({ type: 'uuid', unique: true })
  @Field(() => ID)
  id: string;

  @PrimaryColumn({ name: 'business_date', type: 'date' })
  @Field(() => DateScalar, { description: 'The business day (Vietnam, UTC+7) whose cash it is.' })
  businessDate: string;

  @PrimaryColumn({ name: 'postal_point_code', type: 'text' })
  @Field()
  postalPointCode: string;

  @Column({ type: 'bigint', transformer: bigintMoney })
  @Field(() => MoneyScalar, { description: 'Whole đồng, zero or more.' })
  amount: bigint;

  @Column({ name: 'declared_by_account_id', type: 'uuid' })
  @Field(() => ID)
  declaredByAccountId: string;

  @Column({ name: 'declared_by_role', type: 'text' })
  @Field(() => Role)
  declaredByRole: Role;

  @Column({ name: 'declared_at', type: 'timestamptz' })
  @Field()
  declaredAt: Date;
}
