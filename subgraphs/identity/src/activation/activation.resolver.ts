import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import type { IdentityContext } from '../context';
import { IdentityDocumentType } from './activation.rules';
import type { ActivationService } from './activation.service';
import { CheckedDocumentInput, CounterRegistrationInput, CounterRegistrationResult } from './activation.types';
import type { CounterRegistrationService } from './counter-registration.service';

@Resolver()
export class ActivationResolver {
  constructor(private readonly activation: ActivationService, private readonly counter: CounterRegistrationService) {}

  @Query(() => Account, { nullable: true, description: 'Staff at a counter: the account a document belongs to (by card number, or passport and nationality); null when none.' })
  accountToActivate(
    @Arg('documentType', () => IdentityDocumentType) documentType: IdentityDocumentType,
    @Arg('documentNumber', () => String) documentNumber: string,
    @Arg('nationality', () => String, { nullable: true }) nationality: string | null | undefined,
    @Ctx() ctx: IdentityContext,
  ): Promise<Account | null> {
    return this.activation.accountToActivate(ctx.principal, documentType, documentNumber, nationality);
  }

  @Mutation(() => Account, {
    description: 'Level 2: a postal clerk (at an open postal point) or a police official (C06) checked the person and their chip ID card or passport. '
      + 'BAD_USER_INPUT with reason DOCUMENT_MISMATCH and every disagreeing field when it does not match the record; nothing changes then.',
  })
  activateAccount(@Arg('accountId', () => ID) accountId: string, @Arg('document', () => CheckedDocumentInput) document: CheckedDocumentInput, @Ctx() ctx: IdentityContext): Promise<Account> {
    return this.activation.activate(ctx.principal, accountId, document);
  }

  @Mutation(() => CounterRegistrationResult, {
    description: 'Assisted registration by a level-2 postal clerk: the account is level 2 at once; a code to set the password goes to the person\'s phone. '
      + 'CONFLICT (reason ACCOUNT_EXISTS) when the person already has an account: activate it instead.',
  })
  registerAtCounter(@Arg('input', () => CounterRegistrationInput) input: CounterRegistrationInput, @Ctx() ctx: IdentityContext): Promise<CounterRegistrationResult> {
    return this.counter.register(ctx.principal, input);
  }
}
