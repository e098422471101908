import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { OnlineLevel, ServiceGroup } from './service-groups';

/** A public service (dịch vụ công / thủ tục hành chính) of the catalogue, with the agency that handles it. */
@Entity({ name: 'public_services' })
@ObjectType({ description: 'A public service of the catalogue (dịch vụ công).' })
@Directive('@key(fields: "code")')
export class PublicService {
  @PrimaryColumn({ type: 'text' })
  @Field()
  code: string;

  @Column({ type: 'text' })
  @Field()
  name: string;

  /** cơ quan giải quyết: officials of this agency process its dossiers (the agency itself: the `agency` field). */
  @Column({ name: 'agency_code', type: 'text' })
  @Field()
  agencyCode: string;

  @Column({ name: 'group_code', type: 'text', nullable: true })
  @Field(() => ServiceGroup, { nullable: true, description: 'Null only for a service no group was given yet.' })
  group: ServiceGroup | null;

  @Column({ name: 'online_level', type: 'text' })
  @Field(() => OnlineLevel)
  onlineLevel: OnlineLevel;

  /** Working days from reception to result (weekends and public holidays do not count). */
  @Column({ name: 'processing_days', type: 'smallint' })
  @Field(() => Int, { description: 'Working days from reception to result; weekends and public holidays do not count.' })
  processingDays: number;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  @Field({ description: 'Whether dossiers can be submitted for it now.' })
  isActive: boolean;

  @Column({ type: 'int' })
  position: number;

  /** Lower-case name without diacritics, so "doi giay phep" finds "Đổi giấy phép". */
  @Column({ name: 'search_text', type: 'text' })
  searchText: string;
}
