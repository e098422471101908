import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by identity (organisations and their delegations); documents adds the dossiers submitted for it. */
@ObjectType()
@Directive('@key(fields: "id")')
export class Organisation {
  @Field(() => ID) id: string;
}
