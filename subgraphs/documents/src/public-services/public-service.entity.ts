import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Directive, Field, ObjectType } from 'type-graphql';

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

  /** cơ quan giải quyết: officials of this agency process its dossiers */
  @Column({ name: 'agency_code', type: 'text' })
  @Field()
  agencyCode: string;

  @Column({ name: 'agency_name', type: 'text' })
  @Field()
  agencyName: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  @Field({ description: 'Whether dossiers can be submitted for it now.' })
  isActive: boolean;

  @Column({ type: 'int' })
  position: number;

  /** Lower-case name without diacritics, so "doi giay phep" finds "Đổi giấy phép". */
  @Column({ name: 'search_text', type: 'text' })
  searchText: string;
}
