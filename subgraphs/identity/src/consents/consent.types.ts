import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../../shared/src';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { IntegratedDocumentType } from '../documents/integrated-document.stub';
import { Consent } from './consent.entity';

@InputType()
export class GrantConsentInput {
  @Field(() => ID, { description: 'An active partner, from `partners`.' }) partnerId: string;
  @Field(() => [IdentityAttribute], { description: 'Among the partner\'s allowedAttributes.' }) attributes: IdentityAttribute[];
  @Field(() => [IntegratedDocumentType], {
    nullable: true,
    description: 'Kinds of integrated documents the partner receives with each check (the holder\'s valid ones), each once, among the partner\'s allowedDocumentTypes. None unless given.',
  })
  documentTypes?: IntegratedDocumentType[] | null;
  @Field({ description: 'What the holder agrees to, e.g. "Mở tài khoản thanh toán"; the partner must state it with each check.' }) purpose: string;
  @Field({ description: 'In the future, at most 365 days away.' }) expiresAt: Date;
}

@ObjectType()
export class ConsentConnection extends ConnectionType(Consent, 'Consent') {}
