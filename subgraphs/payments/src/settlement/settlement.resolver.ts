import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DateScalar, PageArgs, type Connection } from '../../../shared/src';
import type { PaymentsContext } from '../context';
import { REPORT_PATHS } from '../reconciliation/reconciliation.rules';
import { SettlementBatch } from './settlement-batch.entity';
import type { SettlementService } from './settlement.service';
import { SettlementBatchConnection, SettlementBatchItemConnection, type SettlementBatchItem } from './settlement.types';

@Resolver(() => SettlementBatch)
export class SettlementBatchResolver {
  constructor(private readonly settlements: SettlementService) {}

  @Authorized()
  @Mutation(() => SettlementBatch, {
    description: 'Closes an agency\'s settlement batch for a business day (today or earlier): every movement of the agency dated on or before it that no earlier batch holds. Level-2 finance; one batch per agency and day, in date order (otherwise CONFLICT).',
  })
  closeSettlementBatch(
    @Arg('agencyCode', () => String) agencyCode: string,
    @Arg('businessDate', () => DateScalar) businessDate: string,
    @Ctx() ctx: PaymentsContext,
  ): Promise<SettlementBatch> {
    return this.settlements.close(ctx.principal, agencyCode, businessDate);
  }

  @Authorized()
  @Query(() => SettlementBatch, { nullable: true, description: 'A settlement batch by id (finance); null when there is none.' })
  settlementBatch(@Arg('id', () => ID) id: string, @Ctx() ctx: PaymentsContext): Promise<SettlementBatch | null> {
    return this.settlements.byId(ctx.principal, id);
  }

  @Authorized()
  @Query(() => SettlementBatchConnection, { description: 'Settlement batches, newest business day first (finance), optionally of one agency.' })
  settlementBatches(
    @Arg('agencyCode', () => String, { nullable: true }) agencyCode: string | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: PaymentsContext,
  ): Promise<Connection<SettlementBatch>> {
    return this.settlements.list(ctx.principal, agencyCode, page.first, page.after);
  }

  @FieldResolver(() => SettlementBatchItemConnection, { description: 'The movements in the batch, by business day then id.' })
  items(@Root() batch: SettlementBatch, @Args(() => PageArgs) page: PageArgs): Promise<Connection<SettlementBatchItem>> {
    return this.settlements.items(batch.id, page.first, page.after);
  }

  @FieldResolver(() => String, { description: 'The batch\'s items as CSV at the gateway (finance): a path to GET with the bearer token.' })
  csvPath(@Root() batch: SettlementBatch): string {
    return REPORT_PATHS.settlementBatch(batch.id);
  }
}
