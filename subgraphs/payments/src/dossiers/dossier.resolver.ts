import { Ctx, Directive, FieldResolver, Resolver, Root } from 'type-graphql';
import { MoneyScalar } from '../../../shared/src';
import type { PaymentsContext } from '../context';
import { Dossier } from './dossier.stub';

@Resolver(() => Dossier)
export class DossierResolver {
  @Directive('@requires(fields: "serviceCode")')
  @FieldResolver(() => MoneyScalar, {
    description: 'What is still to be paid for this dossier, in whole đồng. No collections are recorded yet, so this is the fee schedule total of its service.',
  })
  async amountDue(@Root() dossier: Dossier, @Ctx() ctx: PaymentsContext): Promise<bigint> {
    // Until collections exist nothing has been paid, so what is due is the whole schedule.
    return (await ctx.loaders.feeSchedules.load(dossier.serviceCode)).total;
  }
}
