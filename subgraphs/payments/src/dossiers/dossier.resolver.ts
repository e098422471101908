import { Args, Ctx, Directive, FieldResolver, Resolver, Root } from 'type-graphql';
import { MoneyScalar, PageArgs } from '../../../shared/src';
import type { CollectionService } from '../collections/collection.service';
import { PaymentConnection } from '../collections/collection.types';
import type { PaymentsContext } from '../context';
import { feeScheduleInForce } from '../fee-schedules/fee-schedule.service';
import { Dossier } from './dossier.stub';

@Resolver(() => Dossier)
export class DossierResolver {
  // Nullable for the same reason as PublicService.feeSchedule: one dossier that cannot be priced must not null
  // the whole list of dossiers it is in.
  @Directive('@requires(fields: "serviceCode")')
  @FieldResolver(() => MoneyScalar, {
    nullable: true,
    description: 'What is still to be paid for this dossier, in whole đồng: the total of the fee schedule of its service in force today, less its fee collections (net of reversals and refunds), never below 0. Null, with a SERVICE_UNAVAILABLE error whose reason is FEE_SCHEDULE_MISSING, when none is in force.',
  })
  async amountDue(@Root() dossier: Dossier, @Ctx() ctx: PaymentsContext): Promise<bigint> {
    const [schedule, paid] = await Promise.all([feeScheduleInForce(ctx.loaders.feeSchedules, dossier.serviceCode), ctx.loaders.paidForDossier.load(dossier.id)]);
    const due = schedule.total - paid;
    return due > 0n ? due : 0n;
  }
}

@Resolver(() => Dossier)
export class DossierPaymentsResolver {
  constructor(private readonly collections: CollectionService) {}

  // The dossier reached payments from the gateway, which took it from documents after its 'dossier.read' check.
  @FieldResolver(() => PaymentConnection, { nullable: true, description: 'Its fee and cash-on-delivery movements, oldest first. Null only with an error, when the payments service cannot answer: the rest of the dossier still does.' })
  payments(@Root() dossier: Dossier, @Args(() => PageArgs) page: PageArgs) {
    return this.collections.forDossier(dossier.id, page.first, page.after);
  }
}
