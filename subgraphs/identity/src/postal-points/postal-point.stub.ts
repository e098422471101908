import { Directive, Field, ObjectType } from 'type-graphql';

/** Owned by the payments subgraph; identity only refers to it by key. */
@ObjectType()
@Directive('@key(fields: "code", resolvable: false)')
export class PostalPoint {
  @Field() code: string;
}
