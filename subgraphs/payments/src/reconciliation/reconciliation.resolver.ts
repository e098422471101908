import { Arg, Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { DateScalar, PageArgs } from '../../../shared/src';
import type { PaymentsContext } from '../context';
import { PostalPoint } from '../postal-points/postal-point.entity';
import type { ReconciliationService } from './reconciliation.service';
import { ReconciliationConnection, ReconciliationLine } from './reconciliation.types';

@Resolver(() => ReconciliationLine)
export class ReconciliationResolver {
  constructor(private readonly reconciliations: ReconciliationService) {}

  @Authorized()
  @Query(() => ReconciliationConnection, {
    description: 'A business day\'s reconciliation (đối soát): per postal point, in code order, what was due, collected and remitted, with the totals of every matching line. Level-2 finance and administrators; a level-2 clerk or supervisor for their own postalPointCode.',
  })
  reconciliation(
    @Arg('businessDate', () => DateScalar) businessDate: string,
    @Arg('provinceCode', () => String, { nullable: true, description: 'Only the points of this province (three digits).' }) provinceCode: string | undefined,
    @Arg('postalPointCode', () => String, { nullable: true, description: 'Only this point.' }) postalPointCode: string | undefined,
    @Arg('agencyCode', () => String, { nullable: true, description: 'Only this beneficiary agency\'s movements and cash on delivery: remitted and difference are then null.' }) agencyCode: string | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: PaymentsContext,
  ): Promise<ReconciliationConnection> {
    return this.reconciliations.reconcile(ctx.principal, { businessDate, provinceCode, postalPointCode, agencyCode }, page.first, page.after);
  }

  @FieldResolver(() => PostalPoint, { nullable: true })
  postalPoint(@Root() line: ReconciliationLine, @Ctx() ctx: PaymentsContext): Promise<PostalPoint | null> {
    return ctx.loaders.postalPoints.load(line.postalPointCode);
  }
}
