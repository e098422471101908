import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateScalar } from '../../../shared/src';
import { Account, Gender } from './account.entity';

@InputType({ description: 'Citizen self-registration online (đăng ký tài khoản định danh điện tử).' })
export class RegisterCitizenInput {
  @Field({ description: '12-digit personal identification number; it becomes the username.' }) personalIdNumber: string;
  @Field() fullName: string;
  @Field(() => DateScalar) dateOfBirth: string;
  @Field(() => Gender) gender: Gender;
  @Field({ description: 'Vietnamese mobile number; the one-time code is sent to it.' }) phone: string;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field({ description: 'At least 8 characters with a lowercase and an uppercase letter, a digit and a special character.' }) password: string;
  @Field({ description: 'The postal point where the person will be verified in person.' }) verificationPostalPointCode: string;
}

@InputType({ description: 'Self-registration online of a foreigner (người nước ngoài), identified by passport number and nationality.' })
export class RegisterForeignerInput {
  @Field({ description: '6–20 letters and digits, as printed in the passport (stored upper-case).' }) passportNumber: string;
  @Field({ description: 'Nationality as in the passport, an ISO 3166-1 alpha-2 code, e.g. "JP"; not "VN" (a Vietnamese citizen uses registerCitizen). '
    + 'The username is nationality:passport, e.g. "JP:TK1234567".' }) nationality: string;
  @Field({ description: 'As printed in the passport.' }) fullName: string;
  @Field(() => DateScalar) dateOfBirth: string;
  @Field(() => Gender) gender: Gender;
  @Field({ description: 'Vietnamese mobile number; the one-time code is sent to it.' }) phone: string;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field({ description: 'At least 8 characters with a lowercase and an uppercase letter, a digit and a special character; not containing the passport number.' }) password: string;
  @Field({ description: 'The postal point where the person will be verified in person, with their passport.' }) verificationPostalPointCode: string;
}

/** No account yet: it is created by confirmPhone, once the phone is proved. */
@ObjectType({ description: 'A registration waiting for its phone: confirmPhone with the SMS code creates the account.' })
export class RegistrationResult {
  @Field(() => ID, { description: 'Pass it with the SMS code to confirmPhone.' }) otpChallengeId: string;
  @Field() otpExpiresAt: Date;
  @Field({ description: 'False when the SMS could not be sent; offer resendOtp.' }) otpSent: boolean;
}

@ObjectType()
export class OtpChallengeResult {
  @Field(() => ID) challengeId: string;
  @Field() expiresAt: Date;
}

@ObjectType()
export class SessionResult {
  @Field({ description: 'Short-lived JWT; send it as "Authorization: Bearer …".' }) accessToken: string;
  @Field({ description: 'Opaque, single use: exchange it with refreshSession for a new pair.' }) refreshToken: string;
  @Field({ description: 'When the access token expires.' }) expiresAt: Date;
  @Field(() => Account) account: Account;
}
