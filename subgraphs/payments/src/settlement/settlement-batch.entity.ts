import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { bigintMoney, DateScalar, MoneyScalar } from '../../../shared/src';

/**
 * What finance settled with a beneficiary agency up to a business day (quyết toán): every movement of the agency
 * dated on or before that day that no earlier batch took. Written whole when closed, never changed afterwards (the
 * database refuses UPDATE and DELETE); a correction recorded later is an adjustment in a later batch.
 */
@Entity({ name: 'settlement_batches' })
@ObjectType({ description: 'A closed settlement batch (quyết toán) of an agency for a business day. Immutable; later corrections are adjustments in a later batch.' })
export class SettlementBatch {
  @PrimaryColumn({ type: 'uuid' })
  @Field(() => ID)
  id: string;

  @Column({ name: 'agency_code', type: 'text' })
  @Field({ description: 'The beneficiary agency (đơn vị thụ hưởng).' })
  agencyCode: string;

  @Column({ name: 'business_date', type: 'date' })
  @Field(() => DateScalar, { description: 'The business day the batch was closed for: it holds the agency\'s movements dated on or before it that no earlier batch holds.' })
  businessDate: string;

  @Column({ name: 'settled_through', type: 'date' })
  @Field(() => DateScalar, { description: 'Every movement of the agency dated on or before this day is in this batch or an earlier one. The batch\'s own day unless it was too recent to be final (two days), when later movements dated up to it can still come as adjustments in the next batch.' })
  settledThrough: string;

  @Column({ type: 'bigint', transformer: bigintMoney })
  @Field(() => MoneyScalar, { description: 'What is paid to the agency: the sum of the items\' effects (negative when the agency owes).' })
  total: bigint;

  @Column({ name: 'item_count', type: 'integer' })
  @Field(() => Int)
  itemCount: number;

  @Column({ name: 'adjustment_count', type: 'integer' })
  @Field(() => Int, { description: 'Items that adjust an earlier batch (see SettlementBatchItem.isAdjustment).' })
  adjustmentCount: number;

  @Column({ name: 'adjustment_total', type: 'bigint', transformer: bigintMoney })
  @Field(() => MoneyScalar, { description: 'The part of the total that adjusts earlier batches.' })
  adjustmentTotal: bigint;

  @Column({ name: 'closed_by_account_id', type: 'uuid' })
  @Field(() => ID)
  closedByAccountId: string;

  @Column({ name: 'closed_at', type: 'timestamptz' })
  @Field()
  closedAt: Date;
}
