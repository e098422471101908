import { Ctx, Directive, FieldResolver, Resolver, Root } from 'type-graphql';
import { MoneyScalar } from '../../../shared/src';
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
    description: 'What is still to be paid for this dossier, in whole đồng. No collections are recorded yet, so this is the total of the fee schedule of its service in force today. Null, with a SERVICE_UNAVAILABLE error whose reason is FEE_SCHEDULE_MISSING, when none is in force.',
  })
  async amountDue(@Root() dossier: Dossier, @Ctx() ctx: PaymentsContext): Promise<bigint> {
    // Until collections exist nothing has been paid, so what is due is the whole schedule.
    return (await feeScheduleInForce(ctx.loaders.feeSchedules, dossier.serviceCode)).total;
  }
}
