import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A dossier (hồ sơ thủ tục hành chính), owned by the documents subgraph; payments adds what it owes. */
@ObjectType()
@Directive('@key(fields: "id")')
export class Dossier {
  @Field(() => ID) id: string;

  /** Owned by documents; the gateway fetches it there and passes it in the representation (see amountDue). */
  @Directive('@external')
  @Field() serviceCode: string;
}
