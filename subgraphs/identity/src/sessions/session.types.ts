import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../../shared/src';

/** One of the caller's sessions: a login and the refresh tokens that followed it (one refresh-token family). */
@ObjectType('Session', { description: 'A signed-in session (one login and its refreshes) of the logged-in account.' })
export class SessionInfo {
  @Field(() => ID, { description: 'The session id; access tokens of this session carry it as their `sid` claim.' }) id: string;
  @Field({ description: 'When the login that started it was completed.' }) startedAt: Date;
  @Field(() => Date, { nullable: true, description: 'When it was last refreshed (refreshSession); null if never.' }) lastRefreshedAt: Date | null;
  @Field({ description: 'When its current refresh token expires, unless refreshed or ended before.' }) expiresAt: Date;
  @Field({ description: 'True for the session of the access token making this request.' }) current: boolean;
}

@ObjectType()
export class SessionConnection extends ConnectionType(SessionInfo, 'Session') {}
