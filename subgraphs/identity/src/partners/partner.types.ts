import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../../shared/src';
import { IdentityAttribute } from '../accounts/identity-attribute';
import { IntegratedDocumentType } from '../documents/integrated-document.stub';
import { Partner } from './partner.entity';

@InputType()
export class RegisterPartnerInput {
  @Field({ description: 'As citizens will read it, e.g. "Ngân hàng TMCP Ngoại thương Việt Nam (Vietcombank)".' }) name: string;
  @Field({ description: 'What it checks identities for, e.g. "Mở tài khoản thanh toán".' }) purpose: string;
  @Field(() => [IdentityAttribute], { description: 'The attributes it may ask to check (a consent names some of them).' }) allowedAttributes: IdentityAttribute[];
  @Field(() => [IntegratedDocumentType], { nullable: true, description: 'The kinds of integrated documents it may receive with a check (a consent names some of them); none unless given.' })
  allowedDocumentTypes?: IntegratedDocumentType[] | null;
  @Field(() => Int, { nullable: true, description: 'Its own limit of requests per minute at the gateway (1–100000), carried in its tokens; none: the gateway\'s default for every client.' })
  requestsPerMinute?: number | null;
}

@ObjectType({ description: 'A partner\'s credentials. The secret is shown only in this answer: it is stored only as a salted hash.' })
export class PartnerCredentials {
  @Field(() => Partner) partner: Partner;
  @Field() clientId: string;
  @Field({ description: 'Shown once. 256 random bits; keep it in a secret store. rotatePartnerSecret makes a new one.' }) clientSecret: string;
}

@ObjectType({ description: 'A short-lived access token for a partner\'s machine client.' })
export class PartnerToken {
  @Field({ description: 'Send it as "Authorization: Bearer …" to verifyIdentity.' }) accessToken: string;
  @Field() tokenType: string;
  @Field() expiresAt: Date;
  @Field(() => ID) partnerId: string;
}

@ObjectType()
export class PartnerConnection extends ConnectionType(Partner, 'Partner') {}
