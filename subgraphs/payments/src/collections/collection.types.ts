import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType, MoneyScalar } from '../../../shared/src';
import { Payment, PaymentPurpose } from './payment.entity';

const KEY = 'Required: a new one (a UUID will do) for each new request, the same one for every retry of it. The first answer is kept 24 hours and replayed; the same key with another request is CONFLICT.';

@InputType({ description: 'A collection at the caller\'s postal counter, or online by the payer.' })
export class CollectPaymentInput {
  @Field({ description: KEY }) idempotencyKey: string;
  @Field(() => PaymentPurpose) purpose: PaymentPurpose;
  @Field(() => MoneyScalar, { description: 'Whole đồng. For a dossier, at most what is still due.' }) amount: bigint;
  @Field(() => ID, { nullable: true, description: 'DOSSIER_FEE and CASH_ON_DELIVERY: the dossier.' }) dossierId?: string | null;
  @Field(() => String, { nullable: true, description: 'BILL_PAYMENT and DISBURSEMENT: the beneficiary agency (a dossier\'s is its own).' }) agencyCode?: string | null;
  @Field(() => String, { nullable: true, description: 'BILL_PAYMENT: the bill or customer code.' }) billReference?: string | null;
  @Field(() => ID, { nullable: true, description: 'At a counter: the payer\'s account, when known (a dossier\'s applicant otherwise). Online the payer is the caller.' }) payerAccountId?: string | null;
}

@InputType({ description: 'Undo a movement of today, whole.' })
export class ReversePaymentInput {
  @Field({ description: KEY }) idempotencyKey: string;
  @Field(() => ID) paymentId: string;
  @Field() reason: string;
}

@InputType({ description: 'Give back some or all of a collection of an earlier day.' })
export class RefundPaymentInput {
  @Field({ description: KEY }) idempotencyKey: string;
  @Field(() => ID) paymentId: string;
  @Field(() => MoneyScalar) amount: bigint;
  @Field() reason: string;
}

@ObjectType()
export class PaymentConnection extends ConnectionType(Payment, 'Payment') {}
