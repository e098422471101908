import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by identity; documents adds `dossiers` to it (see dossiers/account-dossiers.resolver.ts). */
@ObjectType()
@Directive('@key(fields: "id")')
export class Account {
  @Field(() => ID) id: string;
}
