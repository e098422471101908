import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by identity; payments adds `payments` to it (what the account paid and got back). */
@ObjectType()
@Directive('@key(fields: "id")')
export class Account {
  @Field(() => ID) id: string;
}
