import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import type { IdentityContext } from '../context';
import { IdentityDocumentType } from './activation.rules';
import type { ActivationService } from './activation.service';
import { CheckedDocumentInput } from './activation.types';

@Resolver()
export class ActivationResolver {
  constructor(private readonly activation: ActivationService) {}

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
}
