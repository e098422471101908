import { Field, ObjectType } from 'type-graphql';
import { MoneyScalar } from '../../../shared/src';

@ObjectType({ description: 'One fee or charge (phí, lệ phí) of a public service.' })
export class FeeItem {
  @Field() name: string;
  @Field(() => MoneyScalar) amount: bigint;
}

@ObjectType({ description: 'What a public service costs: its items and their total, in whole đồng.' })
export class FeeSchedule {
  @Field(() => [FeeItem]) items: FeeItem[];
  @Field(() => MoneyScalar, { description: '"0" for a free service.' }) total: bigint;
}
