import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ObjectType, registerEnumType } from 'type-graphql';

/** Where an agency sits in the state: a ministry (or a national body at that level), a province, a district. */
export enum AgencyLevel { MINISTRY = 'MINISTRY', PROVINCE = 'PROVINCE', DISTRICT = 'DISTRICT' }
registerEnumType(AgencyLevel, {
  name: 'AgencyLevel',
  description: 'Bộ, ngành (national), tỉnh (province) or huyện (district).',
});

/** A state agency (cơ quan): it handles public services and issues integrated documents. */
@Entity({ name: 'agencies' })
@ObjectType({ description: 'A state agency (cơ quan) that handles public services or issues documents.' })
@Directive('@key(fields: "code")')
export class Agency {
  @PrimaryColumn({ type: 'text' })
  @Field({ description: 'Short code; officials carry it in their token as agencyCode.' })
  code: string;

  @Column({ type: 'text' })
  @Field()
  name: string;

  @Column({ type: 'text' })
  @Field(() => AgencyLevel)
  level: AgencyLevel;
}
