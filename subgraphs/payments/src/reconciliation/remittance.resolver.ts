import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { DateScalar, MoneyScalar } from '../../../shared/src';
import type { PaymentsContext } from '../context';
import { PostalPoint } from '../postal-points/postal-point.entity';
import { Remittance } from './remittance.entity';
import type { RemittanceService } from './remittance.service';

@Resolver(() => Remittance)
export class RemittanceResolver {
  constructor(private readonly remittances: RemittanceService) {}

  @Authorized()
  @Mutation(() => Remittance, {
    description: 'Declares the cash a postal point remitted at the end of a business day (today or earlier, Vietnam time): a level-2 clerk or supervisor of that point, once per point and day (again: CONFLICT).',
  })
  declareRemittance(
    @Arg('postalPointCode', () => String) postalPointCode: string,
    @Arg('businessDate', () => DateScalar) businessDate: string,
    @Arg('amount', () => MoneyScalar, { description: 'Whole đồng, zero or more.' }) amount: bigint,
    @Ctx() ctx: PaymentsContext,
  ): Promise<Remittance> {
    return this.remittances.declare(ctx.principal, { postalPointCode, businessDate, amount }, ctx.loaders.postalPoints);
  }

  @FieldResolver(() => PostalPoint, { nullable: true })
  postalPoint(@Root() remittance: Remittance, @Ctx() ctx: PaymentsContext): Promise<PostalPoint | null> {
    return ctx.loaders.postalPoints.load(remittance.postalPointCode);
  }
}
