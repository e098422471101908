import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, DateScalar, MoneyScalar } from '../../../shared/src';

/** How a postal point's day came out (definitions in reconciliation.sql.ts and the README). */
export enum ReconciliationStatus {
  MATCHED = 'MATCHED',
  SHORT = 'SHORT',
  OVER = 'OVER',
  MISSING = 'MISSING',
  UNEXPECTED = 'UNEXPECTED',
}
registerEnumType(ReconciliationStatus, {
  name: 'ReconciliationStatus',
  description: 'How a postal point\'s business day came out (khớp, thiếu, thừa, chưa nộp, không có phát sinh).',
  valuesConfig: {
    MATCHED: { description: 'Remitted exactly toRemit (with agencyCode: collected exactly what was due).' },
    SHORT: { description: 'Remitted less than toRemit (with agencyCode: collected less than was due).' },
    OVER: { description: 'Remitted more than toRemit (with agencyCode: collected more than was due).' },
    MISSING: { description: 'The till moved (due is not 0) and the point declared nothing, not even 0.' },
    UNEXPECTED: { description: 'The point declared an amount above zero while nothing was due and nothing collected.' },
  },
});

@ObjectType({ description: 'One postal point\'s business day: what was due, collected and remitted.' })
export class ReconciliationLine {
  @Field() postalPointCode: string;
  @Field(() => String, { nullable: true, description: 'Three digits; null only for a point no longer in the network.' }) provinceCode: string | null;
  @Field(() => MoneyScalar, { description: 'collected − cash on delivery collected + cash on delivery handed to postmen that day.' }) due: bigint;
  @Field(() => MoneyScalar, { description: 'Net cash the counter took: counter collections − disbursements, net of their reversals.' }) collected: bigint;
  @Field(() => MoneyScalar, { description: 'The part of `collected` that is cash on delivery brought back by postmen.' }) codCollected: bigint;
  @Field(() => MoneyScalar, { description: 'Cash on delivery handed to postmen with results that day.' }) codDispatched: bigint;
  @Field(() => MoneyScalar, { nullable: true, description: 'What the point declared; null when it declared nothing, and with agencyCode (cash is remitted per point, not per agency).' }) remitted: bigint | null;
  @Field(() => MoneyScalar, { nullable: true, description: 'remitted − toRemit (nothing declared counts as 0); null with agencyCode.' }) difference: bigint | null;
  @Field(() => MoneyScalar, { nullable: true, description: 'What the point hands over: due, or 0 when it paid out more than it took; null with agencyCode.' }) toRemit: bigint | null;
  @Field(() => MoneyScalar, { nullable: true, description: 'What the point paid out beyond what it took (−due when due is negative, else 0): the cash the network tops its till up with; null with agencyCode.' }) cashAdvance: bigint | null;
  @Field(() => ReconciliationStatus) status: ReconciliationStatus;
  @Field(() => Int, { description: 'Counter collections, disbursements and reversals that day.' }) movementCount: number;
}

@ObjectType({ description: 'How many lines came out with a status.' })
export class ReconciliationStatusCount {
  @Field(() => ReconciliationStatus) status: ReconciliationStatus;
  @Field(() => Int) lineCount: number;
}

@ObjectType({ description: 'Sums over every line that matches the filter, not only the page.' })
export class ReconciliationTotals {
  @Field(() => Int) lineCount: number;
  @Field(() => MoneyScalar) due: bigint;
  @Field(() => MoneyScalar) collected: bigint;
  @Field(() => MoneyScalar) codCollected: bigint;
  @Field(() => MoneyScalar) codDispatched: bigint;
  @Field(() => MoneyScalar, { nullable: true, description: 'Null with agencyCode.' }) remitted: bigint | null;
  @Field(() => MoneyScalar, { nullable: true, description: 'Null with agencyCode.' }) difference: bigint | null;
  @Field(() => MoneyScalar, { nullable: true, description: 'Null with agencyCode.' }) toRemit: bigint | null;
  @Field(() => MoneyScalar, { nullable: true, description: 'Null with agencyCode.' }) cashAdvance: bigint | null;
  @Field(() => [ReconciliationStatusCount], { description: 'Every status, in the order of the enum, with its count (0 included).' }) byStatus: ReconciliationStatusCount[];
}

@ObjectType({ description: 'A business day\'s reconciliation: lines per postal point in code order, and their totals.' })
export class ReconciliationConnection extends ConnectionType(ReconciliationLine, 'ReconciliationLine') {
  @Field(() => DateScalar) businessDate: string;
  @Field(() => ReconciliationTotals) totals: ReconciliationTotals;
  @Field({ description: 'The same reconciliation as CSV at the gateway (finance): a path with the same filters, to GET with the bearer token.' }) csvPath: string;
}
