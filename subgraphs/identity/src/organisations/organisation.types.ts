import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, DelegationScope } from '../../../shared/src';
import { Delegation } from './delegation.entity';
import { OrganisationActivityEntry } from './organisation-activity.entity';
import { Organisation } from './organisation.entity';

/** How the caller stands to an organisation. */
export enum OrganisationRole {
  /** người đại diện theo pháp luật */
  REPRESENTATIVE = 'REPRESENTATIVE',
  /** holds a live delegation */
  DELEGATE = 'DELEGATE',
}
registerEnumType(OrganisationRole, { name: 'OrganisationRole' });

@InputType()
export class RegisterOrganisationInput {
  @Field({ description: 'Tax code (mã số thuế): 10 digits, or 10 + "-" + 3 for a branch ("0101234567", "0101234567-001"; spaces and a missing hyphen are tolerated).' })
  taxCode: string;

  @Field({ description: 'The registered name, 2–300 characters.' })
  name: string;
}

@InputType()
export class GrantDelegationInput {
  @Field(() => ID) organisationId: string;

  @Field({ description: 'The delegate\'s 12-digit personal identification number: a citizen whose account is active at level 2.' })
  delegatePersonalIdNumber: string;

  @Field(() => [DelegationScope], { description: 'At least one.' })
  scopes: DelegationScope[];

  @Field({ description: 'In the future (at least 5 minutes), at most 365 days away.' })
  expiresAt: Date;
}

@ObjectType({ description: 'A token that acts for an organisation: `sub` is still the person; its `act_for` claim names the organisation, the delegation and the scopes.' })
export class ActingSession {
  @Field({ description: 'An access token like any other (ES256, typ at+jwt, at most 15 minutes, never past the delegation\'s expiry), with the `act_for` claim.' })
  accessToken: string;

  @Field() tokenType: string;

  @Field() expiresAt: Date;

  @Field(() => Organisation) organisation: Organisation;

  @Field(() => Delegation, { nullable: true, description: 'The delegation acted under; null for the legal representative.' })
  delegation: Delegation | null;

  @Field(() => [DelegationScope], { description: 'What the token may do for the organisation: the delegation\'s scopes, or every scope for the representative.' })
  scopes: DelegationScope[];
}

@ObjectType({ description: 'Whom the access token of this request acts for (a token from actForOrganisation).' })
export class ActingFor {
  @Field(() => ID) organisationId: string;

  @Field(() => Organisation, { nullable: true, description: 'Null when the caller no longer sees it (the delegation ended).' })
  organisation: Organisation | null;

  @Field(() => ID, { nullable: true, description: 'Null when acting as the legal representative.' })
  delegationId: string | null;

  @Field(() => [DelegationScope]) scopes: DelegationScope[];
}

@ObjectType()
export class OrganisationConnection extends ConnectionType(Organisation, 'Organisation') {}

@ObjectType()
export class DelegationConnection extends ConnectionType(Delegation, 'Delegation') {}

@ObjectType()
export class OrganisationActivityConnection extends ConnectionType(OrganisationActivityEntry, 'OrganisationActivityEntry') {}
