import { Field, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../../shared/src';

/**
 * A system the person signed in to with their identity account (a relying party holding a live grant of theirs): what
 * it was granted and when the person used it. The person may revoke it (revokeConnectedSystem).
 */
@ObjectType({ description: 'A system the person signed in to with their identity account (single sign-on) and has not revoked.' })
export class ConnectedSystem {
  @Field({ description: 'The system\'s OpenID Connect client_id: what revokeConnectedSystem takes.' }) clientId: string;
  @Field({ description: 'Its name, as the consent page showed it.' }) name: string;
  @Field(() => [String], { description: 'The scopes the person granted it (openid, profile, phone, email, offline_access, graph).' }) scopes: string[];
  @Field({ description: 'When the person first signed in to it.' }) firstSignInAt: Date;
  @Field({ description: 'When the person last signed in to it.' }) lastSignInAt: Date;
}

@ObjectType()
export class ConnectedSystemConnection extends ConnectionType(ConnectedSystem, 'ConnectedSystem') {}
