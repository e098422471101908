import { Field, ObjectType } from 'type-graphql';
import { DateScalar, MoneyScalar } from '../../../shared/src';

@ObjectType({ description: 'One fee or charge (phí, lệ phí) of a public service.' })
export class FeeItem {
  @Field() name: string;
  @Field(() => MoneyScalar) amount: bigint;
}

@ObjectType({ description: 'The fee schedule of a public service in force today (Vietnam time): its items and their total, in whole đồng.' })
export class FeeSchedule {
  @Field(() => [FeeItem]) items: FeeItem[];
  @Field(() => MoneyScalar, { description: '"0" for a free service: one whose schedule was published with no items.' }) total: bigint;
  @Field(() => DateScalar, { description: 'The first day this schedule is in force.' }) effectiveFrom: string;
  @Field(() => DateScalar, { nullable: true, description: 'The last day this schedule is in force; null while no end is set.' }) effectiveTo: string | null;
}
