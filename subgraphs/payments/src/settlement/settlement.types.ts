import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType, DateScalar, MoneyScalar } from '../../../shared/src';
import { PaymentChannel, PaymentPurpose, PaymentType } from '../collections/payment.entity';
import { SettlementBatch } from './settlement-batch.entity';

@ObjectType({ description: 'A movement in a settlement batch, with what it did to the amount owed to the agency.' })
export class SettlementBatchItem {
  @Field(() => ID) paymentId: string;
  @Field(() => DateScalar) businessDate: string;
  @Field(() => PaymentType) type: PaymentType;
  @Field(() => PaymentPurpose) purpose: PaymentPurpose;
  @Field(() => PaymentChannel) channel: PaymentChannel;
  @Field(() => String, { nullable: true }) postalPointCode: string | null;
  @Field(() => MoneyScalar, { description: 'The movement\'s amount (always positive).' }) amount: bigint;
  @Field(() => MoneyScalar, { description: 'Its effect on what the agency is paid: + a collection, − a disbursement or a refund, a reversal the opposite of its original.' }) effect: bigint;
  @Field({ description: 'True when it adjusts an earlier batch: it is dated on or before the agency\'s previous batch\'s day (it arrived after that day was settled), or it corrects a movement an earlier batch settled.' }) isAdjustment: boolean;
  @Field(() => ID, { nullable: true, description: 'What a reversal or refund corrects.' }) originalPaymentId: string | null;
  @Field() recordedAt: Date;
}

@ObjectType()
export class SettlementBatchItemConnection extends ConnectionType(SettlementBatchItem, 'SettlementBatchItem') {}

@ObjectType()
export class SettlementBatchConnection extends ConnectionType(SettlementBatch, 'SettlementBatch') {}
