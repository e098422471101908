import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, requirePrincipal } from '../../../shared/src';
import { Account } from '../accounts/account.stub';
import type { PaymentsContext } from '../context';
import { Dossier } from '../dossiers/dossier.stub';
import { PostalPoint } from '../postal-points/postal-point.entity';
import type { CollectionService } from './collection.service';
import { CollectPaymentInput, PaymentConnection, RefundPaymentInput, ReversePaymentInput } from './collection.types';
import { Payment } from './payment.entity';

@Resolver(() => Payment)
export class PaymentResolver {
  constructor(private readonly collections: CollectionService) {}

  @Authorized()
  @Mutation(() => Payment, {
    description: 'Collects money (or, DISBURSEMENT, pays it out for an agency) at the caller\'s postal counter — a level-2 clerk or supervisor — or online, paid by the caller. Idempotent on idempotencyKey.',
  })
  collectPayment(@Arg('input', () => CollectPaymentInput) input: CollectPaymentInput, @Ctx() ctx: PaymentsContext): Promise<Payment> {
    return this.collections.collect(requirePrincipal(ctx), input, ctx.loaders);
  }

  @Authorized()
  @Mutation(() => Payment, { description: 'Undoes a collection or disbursement of today, whole: finance, or the supervisor of the postal point it was recorded at. Idempotent on idempotencyKey.' })
  reversePayment(@Arg('input', () => ReversePaymentInput) input: ReversePaymentInput, @Ctx() ctx: PaymentsContext): Promise<Payment> {
    return this.collections.reverse(requirePrincipal(ctx), input);
  }

  @Authorized()
  @Mutation(() => Payment, { description: 'Gives back some or all of a collection of an earlier day: finance. Idempotent on idempotencyKey.' })
  refundPayment(@Arg('input', () => RefundPaymentInput) input: RefundPaymentInput, @Ctx() ctx: PaymentsContext): Promise<Payment> {
    return this.collections.refund(requirePrincipal(ctx), input);
  }

  @Authorized()
  @Query(() => Payment, { nullable: true, description: 'Null when it does not exist or the caller may not see it (its payer, finance, administrators, the staff of its postal point).' })
  payment(@Arg('id', () => ID) id: string, @Ctx() ctx: PaymentsContext): Promise<Payment | null> {
    return this.collections.byId(requirePrincipal(ctx), id);
  }

  @FieldResolver(() => PostalPoint, { nullable: true })
  postalPoint(@Root() payment: Payment, @Ctx() ctx: PaymentsContext): Promise<PostalPoint | null> | null {
    return payment.postalPointCode ? ctx.loaders.postalPoints.load(payment.postalPointCode) : null;
  }

  @FieldResolver(() => Dossier, { nullable: true, description: 'The dossier a fee or a cash on delivery was for (resolved by documents, which decides who sees it).' })
  dossier(@Root() payment: Payment): Dossier | null {
    return payment.dossierId ? ({ id: payment.dossierId } as Dossier) : null;
  }

  @FieldResolver(() => Account, { nullable: true, description: 'Who paid (or is paid back), when known.' })
  payer(@Root() payment: Payment): Account | null {
    return payment.payerAccountId ? { id: payment.payerAccountId } : null;
  }

  @FieldResolver(() => Payment, { nullable: true, description: 'What a reversal or refund corrects.' })
  original(@Root() payment: Payment, @Ctx() ctx: PaymentsContext): Promise<Payment | null> | null {
    return payment.originalId ? this.collections.byId(requirePrincipal(ctx), payment.originalId) : null;
  }
}

/** Payments adds to identity's Account what the account paid and got back. */
@Resolver(() => Account)
export class AccountPaymentsResolver {
  constructor(private readonly collections: CollectionService) {}

  @FieldResolver(() => PaymentConnection, { nullable: true, description: 'Newest first: collections paid by the account, and their reversals and refunds. The holder, finance and administrators. Null only with an error, when the payments service cannot answer: the rest of the account still does.' })
  payments(@Root() account: Account, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: PaymentsContext) {
    return this.collections.forAccount(requirePrincipal(ctx), account.id, page.first, page.after);
  }
}
