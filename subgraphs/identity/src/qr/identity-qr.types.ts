import { Field, ID, ObjectType } from 'type-graphql';
import { DateScalar } from '../../../shared/src';
import { AssuranceLevel, Gender } from '../accounts/account.entity';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { IntegratedDocument } from '../documents/integrated-document.stub';

@ObjectType({ description: 'An identity QR code (mã QR định danh): valid for 60 seconds and for one scan by a level-2 official or postal clerk.' })
export class IdentityQr {
  @Field({ description: 'What the QR code encodes (a signed reference, nothing personal); verifyIdentityQr takes it.' }) payload: string;
  @Field({ description: 'After this instant the code is refused (QR_EXPIRED); make a new one.' }) expiresAt: Date;
  @Field({ description: 'The QR code as an SVG image.' }) svg: string;
  @Field(() => [IdentityAttribute], { description: 'What a scan will show besides the level: FULL_NAME and DATE_OF_BIRTH always, plus what was chosen.' })
  sharedAttributes: IdentityAttribute[];
  @Field(() => [ID], { description: 'The integrated documents a scan will present, as chosen in `documentIds` (none unless chosen).' })
  sharedDocumentIds: string[];
}

/** What a scan shows: the holder's identity, and only the items the holder chose to share (the rest null). */
@ObjectType({ description: 'A genuine identity QR code, scanned: the holder\'s identity and only the items the holder chose to share; the rest is null.' })
export class IdentityQrVerification {
  @Field({ description: 'Always shown.' }) fullName: string;
  @Field(() => DateScalar, { nullable: true, description: 'Always shown (null only when the registry has none).' }) dateOfBirth: string | null;
  @Field(() => AssuranceLevel, { description: 'Always shown.' }) level: AssuranceLevel;
  @Field(() => [IdentityAttribute], { description: 'The attributes this answer shows (FULL_NAME, DATE_OF_BIRTH and what the holder chose).' }) sharedAttributes: IdentityAttribute[];
  @Field(() => String, { nullable: true, description: 'Only if the holder shared PERSONAL_ID_NUMBER.' }) personalIdNumber: string | null;
  @Field(() => Gender, { nullable: true, description: 'Only if the holder shared GENDER.' }) gender: Gender | null;
  @Field(() => String, { nullable: true, description: 'Only if the holder shared PHONE.' }) phone: string | null;
  @Field(() => String, { nullable: true, description: 'Only if the holder shared EMAIL.' }) email: string | null;
  @Field(() => String, { nullable: true, description: 'Only if the holder shared PASSPORT (foreigners).' }) passportNumber: string | null;
  @Field(() => String, { nullable: true, description: 'Only if the holder shared PASSPORT (foreigners): ISO 3166-1 alpha-2.' }) nationality: string | null;
  @Field(() => [IntegratedDocument], {
    nullable: 'items',
    description: 'The integrated documents the holder chose to present, in their order. An entry is null when the documents subgraph does not hold it '
      + 'as this holder\'s document (an id of someone else\'s, or one since removed): nothing of it is shown.',
  })
  documents: IntegratedDocument[];
  @Field({ description: 'When this scan used the code.' }) verifiedAt: Date;
}
