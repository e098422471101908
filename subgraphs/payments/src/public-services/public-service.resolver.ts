import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { PaymentsContext } from '../context';
import { feeScheduleInForce } from '../fee-schedules/fee-schedule.service';
import { FeeSchedule } from '../fee-schedules/fee-schedule.types';
import { PublicService } from './public-service.stub';

@Resolver(() => PublicService)
export class PublicServiceResolver {
  // Nullable so that a service without a schedule fails alone: non-null, its error would null the service, and
  // with it every list (the catalogue, a citizen's dossiers) that holds the service.
  @FieldResolver(() => FeeSchedule, {
    nullable: true,
    description: 'The fees of this service in force today (biểu phí, lệ phí); a free service has no items and total "0". Null, with a SERVICE_UNAVAILABLE error whose reason is FEE_SCHEDULE_MISSING, when no schedule is in force: a service is never free by omission.',
  })
  feeSchedule(@Root() service: PublicService, @Ctx() ctx: PaymentsContext): Promise<FeeSchedule> {
    return feeScheduleInForce(ctx.loaders.feeSchedules, service.code);
  }
}
