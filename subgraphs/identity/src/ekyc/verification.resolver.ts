import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import type { VerificationService } from './verification.service';
import { IdentityVerification, VerifyIdentityInput } from './verification.types';

@Resolver(() => IdentityVerification)
export class VerificationResolver {
  constructor(private readonly verification: VerificationService) {}

  @Authorized()
  @Mutation(() => IdentityVerification, {
    description: 'A partner (its token from issuePartnerToken) checks an identity its customer claims, with the holder\'s consent (eKYC). '
      + 'Each claimed attribute the consent names is EXACT, NORMALISED or NO_MATCH; others are NOT_CHECKED. Every refusal — no such person, '
      + 'no consent, another purpose, revoked, expired, level 1, inactive partner — is the same FORBIDDEN answer. The check is written to the holder\'s access log.',
  })
  verifyIdentity(@Arg('input', () => VerifyIdentityInput) input: VerifyIdentityInput, @Ctx() ctx: IdentityContext): Promise<IdentityVerification> {
    return this.verification.verify(ctx.principal, input);
  }
}
