import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import type { SessionService } from '../sessions/session.service';
import type { OtpService } from '../otp/otp.service';
import type { RegistrationService } from '../registrations/registration.service';
import { Account, AssuranceLevel } from './account.entity';
import type { AccountService } from './account.service';
import { OtpChallengeResult, RegisterCitizenInput, RegisterForeignerInput, RegistrationResult, SessionResult } from './account.types';

@Resolver(() => Account)
export class AccountResolver {
  constructor(
    private readonly accounts: AccountService,
    private readonly registrations: RegistrationService,
    private readonly sessions: SessionService,
    private readonly otp: OtpService,
  ) {}

  @Query(() => Account, { nullable: true, description: 'The logged-in account; null when anonymous.' })
  async me(@Ctx() ctx: IdentityContext): Promise<Account | null> {
    if (!ctx.principal) return null;
    return ctx.loaders.accounts.load(ctx.principal.accountId);
  }

  @Mutation(() => RegistrationResult, {
    description: 'Starts a registration and sends a code to the phone; no account exists until confirmPhone. '
      + 'The answer is the same whether or not the number already has an account.',
  })
  async registerCitizen(@Arg('input', () => RegisterCitizenInput) input: RegisterCitizenInput, @Ctx() ctx: IdentityContext): Promise<RegistrationResult> {
    const started = await this.registrations.registerCitizen(input, ctx.clientIp);
    return { otpChallengeId: started.challengeId, otpExpiresAt: started.expiresAt, otpSent: started.otpSent };
  }

  @Mutation(() => RegistrationResult, {
    description: 'Starts a foreigner\'s registration (passport number and nationality) and sends a code to the phone; no account exists until '
      + 'confirmPhone. The username is then nationality:passport, e.g. "JP:TK1234567". The answer is the same whether or not the passport already has an account.',
  })
  async registerForeigner(@Arg('input', () => RegisterForeignerInput) input: RegisterForeignerInput, @Ctx() ctx: IdentityContext): Promise<RegistrationResult> {
    const started = await this.registrations.registerForeigner(input, ctx.clientIp);
    return { otpChallengeId: started.challengeId, otpExpiresAt: started.expiresAt, otpSent: started.otpSent };
  }

  @Mutation(() => Account, {
    description: 'Confirms the phone with the SMS code and creates the account (a citizen\'s or a foreigner\'s): level 1, pending in-person verification. '
      + 'The first registration of a number (or passport) to confirm its phone wins; the others then get CONFLICT.',
  })
  async confirmPhone(@Arg('challengeId', () => ID) challengeId: string, @Arg('code', () => String) code: string): Promise<Account> {
    return this.registrations.confirmPhone(challengeId, code);
  }

  @Mutation(() => OtpChallengeResult, { description: 'Sends a new code for the same challenge; wrong attempts so far still count.' })
  async resendOtp(@Arg('challengeId', () => ID) challengeId: string): Promise<OtpChallengeResult> {
    const challenge = await this.otp.resend(challengeId);
    return { challengeId: challenge.id, expiresAt: challenge.expiresAt };
  }

  @Mutation(() => OtpChallengeResult, { description: 'Step one of logging in: checks the password and sends a code to the registered phone.' })
  async login(@Arg('username', () => String) username: string, @Arg('password', () => String) password: string, @Ctx() ctx: IdentityContext): Promise<OtpChallengeResult> {
    return this.accounts.login(username, password, ctx.clientIp);
  }

  @Mutation(() => SessionResult, { description: 'Step two of logging in: the code from the SMS gives an access and a refresh token.' })
  async verifyLoginOtp(@Arg('challengeId', () => ID) challengeId: string, @Arg('code', () => String) code: string, @Ctx() ctx: IdentityContext): Promise<SessionResult> {
    return actAs(ctx, await this.accounts.verifyLoginOtp(challengeId, code));
  }

  @Mutation(() => SessionResult, { description: 'Exchanges a refresh token for a new access token and a new refresh token.' })
  async refreshSession(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: IdentityContext): Promise<SessionResult> {
    return actAs(ctx, await this.sessions.refresh(refreshToken));
  }
}

/**
 * The caller has just proved who they are (code or refresh token): the rest of this request, such as
 * the session's `account { fullName }`, is answered for that account.
 */
function actAs(ctx: IdentityContext, session: SessionResult): SessionResult {
  const { account } = session;
  ctx.principal = {
    accountId: account.id, role: account.role, level: account.level === AssuranceLevel.LEVEL_2 ? 2 : 1,
    postalPointCode: account.postalPointCode ?? undefined, agencyCode: account.agencyCode ?? undefined,
  };
  return session;
}
