import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { OtpChallengeResult } from '../accounts/account.types';
import type { IdentityContext } from '../context';
import type { PasswordService } from './password.service';

const RULES = 'At least 8 characters with a lowercase and an uppercase letter, a digit and a special character; not the username, ID number or phone.';

@Resolver()
export class PasswordResolver {
  constructor(private readonly passwords: PasswordService) {}

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Changes the logged-in account\'s password. A wrong old password counts as a failed login; every other session ends.',
  })
  changePassword(
    @Arg('oldPassword', () => String) oldPassword: string,
    @Arg('newPassword', () => String, { description: RULES }) newPassword: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return this.passwords.change(ctx.principal, oldPassword, newPassword);
  }

  @Mutation(() => OtpChallengeResult, {
    description: 'Sends a code to the registered phone to reset a forgotten password (then resetPassword). '
      + 'The answer is the same whether or not the username is anyone\'s.',
  })
  requestPasswordReset(@Arg('username', () => String) username: string, @Ctx() ctx: IdentityContext): Promise<OtpChallengeResult> {
    return this.passwords.requestReset(username, ctx.clientIp);
  }

  @Mutation(() => Boolean, {
    description: 'Sets a new password with the code from requestPasswordReset: every session ends and the login lock is lifted. '
      + 'A new password that breaks the rules is refused and the code can be used again.',
  })
  resetPassword(
    @Arg('challengeId', () => ID) challengeId: string,
    @Arg('code', () => String) code: string,
    @Arg('newPassword', () => String, { description: RULES }) newPassword: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return this.passwords.reset(challengeId, code, newPassword, ctx.clientIp);
  }
}
