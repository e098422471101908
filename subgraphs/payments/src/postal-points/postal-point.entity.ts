import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Directive, Field, ObjectType, registerEnumType } from 'type-graphql';

export enum PostalPointKind {
  /** bưu cục */
  POST_OFFICE = 'POST_OFFICE',
  /** điểm Bưu điện - Văn hóa xã (BĐ-VHX), the commune-level point */
  COMMUNE_CULTURAL_POST_OFFICE = 'COMMUNE_CULTURAL_POST_OFFICE',
  /** đại lý bưu điện */
  AGENT = 'AGENT',
}
registerEnumType(PostalPointKind, { name: 'PostalPointKind' });

/**
 * A postal service point (điểm phục vụ). Payments owns them; identity (where an account is verified)
 * and documents (where a dossier is received) refer to them by code. Everything here is public.
 */
@Entity({ name: 'postal_points' })
@ObjectType({ description: 'A postal service point (điểm phục vụ): post office, commune cultural post office or agent.' })
@Directive('@key(fields: "code")')
export class PostalPoint {
  @PrimaryColumn({ type: 'text' })
  @Field({ description: 'e.g. "001-BC-0001": province code, kind (BC, VHX, DL), sequence.' })
  code: string;

  @Column({ type: 'text' })
  @Field()
  name: string;

  @Column({ type: 'text' })
  @Field(() => PostalPointKind)
  kind: PostalPointKind;

  @Column({ name: 'province_code', type: 'text' })
  @Field({ description: 'Three-digit province code, e.g. "001" for Hà Nội.' })
  provinceCode: string;

  @Column({ name: 'province_name', type: 'text' })
  @Field()
  provinceName: string;

  @Column({ type: 'text' })
  @Field()
  district: string;

  @Column({ type: 'text' })
  @Field()
  address: string;

  @Column({ type: 'text' })
  @Field()
  phone: string;

  @Column({ name: 'is_open', type: 'boolean' })
  @Field({ description: 'False while the point is closed: it cannot receive dossiers, verify accounts or collect.' })
  isOpen: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field()
  updatedAt: Date;
}
