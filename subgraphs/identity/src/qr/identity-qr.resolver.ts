import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { IdentityAttribute } from '../accounts/identity-attribute';
import type { IdentityContext } from '../context';
import type { IdentityQrService } from './identity-qr.service';
import { IdentityQr, IdentityQrVerification } from './identity-qr.types';

@Resolver()
export class IdentityQrResolver {
  constructor(private readonly qr: IdentityQrService) {}

  @Mutation(() => IdentityQr, {
    description: 'Makes an identity QR code (VNeID) for the logged-in holder of an active level-2 account: valid for 60 seconds and one scan. '
      + 'A scan shows the full name, date of birth and level, plus the attributes listed in `share` and the integrated documents listed in `documentIds`.',
  })
  createIdentityQr(
    @Arg('share', () => [IdentityAttribute], { nullable: true, description: 'What to show beyond name, date of birth and level (e.g. PERSONAL_ID_NUMBER, GENDER).' }) share: IdentityAttribute[] | null,
    @Arg('documentIds', () => [ID], {
      nullable: true,
      description: 'Up to 5 of the holder\'s integrated documents to present, each once, by the id `me { documents }` shows. None unless given.',
    }) documentIds: string[] | null,
    @Ctx() ctx: IdentityContext,
  ): Promise<IdentityQr> {
    return this.qr.create(ctx.principal, share, documentIds);
  }

  @Mutation(() => IdentityQrVerification, {
    description: 'Scans an identity QR code, as a level-2 official or postal clerk: a genuine code shows the holder\'s identity and what they chose to share, once. '
      + 'A refusal is BAD_USER_INPUT with extensions.reason QR_INVALID, QR_UNKNOWN, QR_EXPIRED, QR_USED or QR_HOLDER_INACTIVE. Every scan of a known holder is in their access log.',
  })
  verifyIdentityQr(@Arg('payload', () => String) payload: string, @Ctx() ctx: IdentityContext): Promise<IdentityQrVerification> {
    return this.qr.verify(ctx.principal, payload);
  }
}
