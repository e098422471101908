import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar } from '../../../shared/src';
import { Account, Gender } from '../accounts/account.entity';
import { IdentityDocumentType } from './activation.rules';

registerEnumType(IdentityDocumentType, { name: 'IdentityDocumentType', description: 'The identity document checked in person.' });

@InputType({ description: 'What the staff member read on the document in the person\'s hands.' })
export class CheckedDocumentInput {
  @Field(() => IdentityDocumentType, { description: 'CHIP_ID_CARD for a citizen, PASSPORT for a foreigner.' }) documentType: IdentityDocumentType;
  @Field({ description: 'The card\'s 12-digit number, or the passport number.' }) documentNumber: string;
  @Field(() => DateScalar) issueDate: string;
  @Field({ description: 'As printed on the document.' }) fullName: string;
  @Field(() => DateScalar) dateOfBirth: string;
  @Field(() => Gender, { nullable: true }) gender?: Gender | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2, on a passport.' }) nationality?: string | null;
}

@InputType({ description: 'Assisted registration at a postal counter: the person\'s document, read by the clerk, and the person\'s own phone.' })
export class CounterRegistrationInput {
  @Field(() => CheckedDocumentInput, { description: 'A chip ID card registers a citizen; a passport, a foreigner.' }) document: CheckedDocumentInput;
  @Field({ description: 'The person\'s own mobile: the code to set their password goes there, never to the clerk.' }) phone: string;
  @Field(() => String, { nullable: true }) email?: string | null;
}

@ObjectType()
export class CounterRegistrationResult {
  @Field(() => Account, { description: 'The new account: level 2 and active at once.' }) account: Account;
  @Field(() => ID, { description: 'Printed on the receipt: with the SMS code, the person sets their password (resetPassword).' }) setPasswordChallengeId: string;
  @Field() setPasswordExpiresAt: Date;
  @Field({ description: 'False when the SMS could not be sent; the person asks for the code again (resendOtp).' }) otpSent: boolean;
}
