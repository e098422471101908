import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../../shared/src';
import { RelyingParty } from './relying-party.entity';

@InputType()
export class RegisterRelyingPartyInput {
  @Field({ description: 'As people will read it on the consent page, e.g. "Cổng dịch vụ công Bưu điện".' }) name: string;
  @Field(() => [String], { description: 'Exact addresses the person may be sent back to with a code (https; http only to 127.0.0.1 or localhost).' })
  redirectUris: string[];
  @Field(() => [String], { nullable: true, description: 'Exact addresses the person may be sent to after signing out.' })
  postLogoutRedirectUris?: string[] | null;
  @Field(() => [String], { description: 'Scopes it may ask for: openid (required), profile, phone, email, offline_access, graph.' })
  allowedScopes: string[];
  @Field(() => [Int], { nullable: true, description: 'Assurance levels of the accounts it accepts; both (1 and 2) unless given.' })
  allowedLevels?: number[] | null;
  @Field(() => Boolean, { nullable: true, description: 'True (default): a server keeping a client secret. False: an app in a browser or on a phone (PKCE only, no secret).' })
  confidential?: boolean | null;
}

@ObjectType({ description: 'A relying party\'s credentials. The secret is shown only in this answer: it is stored only as a salted hash.' })
export class RelyingPartyCredentials {
  @Field(() => RelyingParty) relyingParty: RelyingParty;
  @Field() clientId: string;
  @Field(() => String, { nullable: true, description: 'Shown once (confidential clients; null for a public one). 256 random bits; keep it in a secret store.' })
  clientSecret: string | null;
  @Field({ description: 'The OpenID Connect discovery document to point a standard client at.' }) discoveryUrl: string;
}

@ObjectType()
export class RelyingPartyConnection extends ConnectionType(RelyingParty, 'RelyingParty') {}
