import { Field, InputType, registerEnumType } from 'type-graphql';
import { DateScalar } from '../../../shared/src';
import { Gender } from '../accounts/account.entity';
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
