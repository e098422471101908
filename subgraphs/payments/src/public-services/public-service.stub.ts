import { Directive, Field, ObjectType } from 'type-graphql';

/** A public service (dịch vụ công), owned by the documents subgraph; payments adds what it costs. */
@ObjectType()
@Directive('@key(fields: "code")')
export class PublicService {
  @Field() code: string;
}
