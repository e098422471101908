import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { IdentityAttribute } from '../accounts/identity-attribute';
import type { IdentityContext } from '../context';
import type { IdentityQrService } from './identity-qr.service';
import { IdentityQr, IdentityQrVerification } from './identity-qr.types';

@Resolver()
export class IdentityQrResolver {
  constructor(private readonly qr: IdentityQrService) {}

  @Mutation(() => IdentityQr, {
    description: 'Makes an identity QR code (VNeID) for the logged-in holder of an active level-2 account: valid for 60 seconds and one scan. '
      + 'A scan shows the full name, date of birth and level, plus the attributes listed in `share`.',
  })
  createIdentityQr(
    @Arg('share', () => [IdentityAttribute], { nullable: true, description: 'What to show beyond name, date of birth and level (e.g. PERSONAL_ID_NUMBER, GENDER).' }) share: IdentityAttribute[] | null,
    @Ctx() ctx: IdentityContext,
  ): Promise<IdentityQr> {
    return this.qr.create(ctx.principal, share);
  }

  @Mutation(() => IdentityQrVerification, {
    description: 'Scans an identity QR code, as a level-2 official or postal clerk: a genuine code shows the holder\'s identity and what they chose to share, once. '
      + 'A refusal is BAD_USER_INPUT with extensions.reason QR_INVALID, QR_UNKNOWN, QR_EXPIRED, QR_USED or QR_HOLDER_INACTIVE. Every scan of a known holder is in their access log.',
  })
  verifyIdentityQr(@Arg('payload', () => String) payload: string, @Ctx() ctx: IdentityContext): Promise<IdentityQrVerification> {
    return this.qr.verify(ctx.principal, payload);
  }
}
