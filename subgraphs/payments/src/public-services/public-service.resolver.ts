import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { PaymentsContext } from '../context';
import { FeeSchedule } from '../fee-schedules/fee-schedule.types';
import { PublicService } from './public-service.stub';

@Resolver(() => PublicService)
export class PublicServiceResolver {
  @FieldResolver(() => FeeSchedule, { description: 'The fees of this service (biểu phí, lệ phí); empty with total "0" when it is free.' })
  feeSchedule(@Root() service: PublicService, @Ctx() ctx: PaymentsContext): Promise<FeeSchedule> {
    return ctx.loaders.feeSchedules.load(service.code);
  }
}
