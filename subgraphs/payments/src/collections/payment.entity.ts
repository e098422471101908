import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { bigintMoney, DateScalar, MoneyScalar, Role } from '../../../shared/src';

/** What a movement is: money in, money paid out for an agency, or a correction of an earlier movement. */
export enum PaymentType { COLLECTION = 'COLLECTION', DISBURSEMENT = 'DISBURSEMENT', REVERSAL = 'REVERSAL', REFUND = 'REFUND' }
registerEnumType(PaymentType, {
  name: 'PaymentType',
  valuesConfig: {
    COLLECTION: { description: 'Money received (thu).' },
    DISBURSEMENT: { description: 'Money paid out at a counter on an agency\'s behalf (chi hộ).' },
    REVERSAL: { description: 'Undoes a movement of the same business day, whole.' },
    REFUND: { description: 'Gives back some or all of a collection, later, by finance.' },
  },
});

/** What the money is for. */
export enum PaymentPurpose { DOSSIER_FEE = 'DOSSIER_FEE', CASH_ON_DELIVERY = 'CASH_ON_DELIVERY', BILL_PAYMENT = 'BILL_PAYMENT', DISBURSEMENT = 'DISBURSEMENT' }
registerEnumType(PaymentPurpose, {
  name: 'PaymentPurpose',
  valuesConfig: {
    DOSSIER_FEE: { description: 'A dossier\'s fees and charges (phí, lệ phí).' },
    CASH_ON_DELIVERY: { description: 'The amount collected at the door with a dossier\'s result sent by post.' },
    BILL_PAYMENT: { description: 'A bill collected on an agency\'s behalf (thu hộ: electricity, water…).' },
    DISBURSEMENT: { description: 'Money paid out on an agency\'s behalf (chi hộ: pensions, allowances…).' },
  },
});

export enum PaymentChannel { COUNTER = 'COUNTER', ONLINE = 'ONLINE' }
registerEnumType(PaymentChannel, { name: 'PaymentChannel', description: 'At a postal point\'s counter, or online by the payer.' });

/**
 * A money movement (giao dịch), never changed or deleted. Stored in `payments.payments`, partitioned by month of its
 * business day (the Vietnam calendar day it was recorded on); its postings are in `payments.ledger_entries`.
 */
@Entity({ name: 'payments' })
@ObjectType({ description: 'A money movement: a collection, a disbursement, or a reversal or refund of one. Never changed or deleted.' })
@Directive('@key(fields: "id")')
export class Payment {
  @PrimaryColumn({ type: 'uuid' })
  @Field(() => ID)
  id: string;

  @PrimaryColumn({ name: 'business_date', type: 'date' })
  @Field(() => DateScalar, { description: 'The business day (Vietnam, UTC+7) it belongs to.' })
  businessDate: string;

  @Column({ type: 'text' }) @Field(() => PaymentType) type: PaymentType;
  @Column({ type: 'text' }) @Field(() => PaymentPurpose) purpose: PaymentPurpose;
  @Column({ type: 'text' }) @Field(() => PaymentChannel) channel: PaymentChannel;

  @Column({ name: 'postal_point_code', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The postal point of a counter movement.' })
  postalPointCode: string | null;

  @Column({ name: 'province_code', type: 'text', nullable: true })
  provinceCode: string | null;

  @Column({ name: 'agency_code', type: 'text' })
  @Field({ description: 'The beneficiary agency (đơn vị thụ hưởng).' })
  agencyCode: string;

  @Column({ name: 'dossier_id', type: 'uuid', nullable: true })
  dossierId: string | null;

  @Column({ name: 'bill_reference', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The bill or customer code of a bill payment.' })
  billReference: string | null;

  @Column({ name: 'payer_account_id', type: 'uuid', nullable: true })
  payerAccountId: string | null;

  @Column({ type: 'bigint', transformer: bigintMoney })
  @Field(() => MoneyScalar, { description: 'Whole đồng, always positive: the type says which way it went.' })
  amount: bigint;

  @Column({ name: 'original_id', type: 'uuid', nullable: true })
  originalId: string | null;

  @Column({ name: 'original_business_date', type: 'date', nullable: true })
  originalBusinessDate: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why a reversal or refund was made.' })
  reason: string | null;

  @Column({ name: 'recorded_by_account_id', type: 'uuid' })
  recordedByAccountId: string;

  @Column({ name: 'recorded_by_role', type: 'text' })
  @Field(() => Role)
  recordedByRole: Role;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  @Field()
  recordedAt: Date;
}

/** A movement as an idempotency record keeps it: the first answer, replayed as it was. */
export type PaymentSnapshot = Omit<Payment, 'amount' | 'recordedAt'> & { amount: string; recordedAt: string };

export function snapshotOf(payment: Payment): PaymentSnapshot {
  return { ...payment, amount: payment.amount.toString(), recordedAt: payment.recordedAt.toISOString() };
}

export function paymentFrom(snapshot: PaymentSnapshot): Payment {
  return Object.assign(new Payment(), snapshot, { amount: BigInt(snapshot.amount), recordedAt: new Date(snapshot.recordedAt) });
}
