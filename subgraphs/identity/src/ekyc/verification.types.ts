import { Field, InputType, ObjectType } from 'type-graphql';
import { DateScalar } from '../../../shared/src';
import { AccountStatus, AssuranceLevel, Gender } from '../accounts/account.entity';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { DocumentsOfType } from '../documents/integrated-document.stub';
import { MatchResult } from './matching';

@InputType({ description: 'An identity a partner\'s customer claims: the number identifies the person, the rest is compared.' })
export class VerifyIdentityInput {
  @Field({ description: '12-digit personal identification number: whose consent is looked for.' }) personalIdNumber: string;
  @Field(() => String, { nullable: true }) fullName?: string | null;
  @Field(() => DateScalar, { nullable: true }) dateOfBirth?: string | null;
  @Field(() => Gender, { nullable: true }) gender?: Gender | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field({ description: 'Why the partner checks: it must be the purpose the holder consented to (case, spacing and diacritics aside).' }) purpose: string;
}

@ObjectType()
export class AttributeCheck {
  @Field(() => IdentityAttribute) attribute: IdentityAttribute;
  @Field(() => MatchResult) result: MatchResult;
}

@ObjectType({
  description: 'The answer to an allowed check: one result per claimed attribute, the account\'s level and status, and the holder\'s documents of the kinds the consent names. '
    + 'Never a value from the registry.',
})
export class IdentityVerification {
  @Field(() => [AttributeCheck], { description: 'One per claimed attribute, in a fixed order; NOT_CHECKED where the consent does not name it.' }) checks: AttributeCheck[];
  @Field(() => AssuranceLevel) level: AssuranceLevel;
  @Field(() => AccountStatus) status: AccountStatus;
  @Field(() => [DocumentsOfType], {
    description: 'One entry per kind of integrated document the consent names (and the partner may receive), with the holder\'s valid documents of that kind; '
      + 'empty unless the holder\'s account is active at level 2.',
  })
  documents: DocumentsOfType[];
  @Field({ description: 'Until when the holder\'s consent lets this partner check them.' }) consentExpiresAt: Date;
  @Field() checkedAt: Date;
}
