import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One published fee schedule of a public service and the days it is in force (Vietnam calendar, both ends
 * included). The database refuses two schedules of one service that overlap; a schedule without items is a
 * free service, and a day on which no schedule is in force is one on which the service cannot be charged.
 */
@Entity({ name: 'fee_schedules' })
export class FeeScheduleRecord {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The documents subgraph's PublicService code, e.g. "GPLX_EXCHANGE" (referred to, never joined). */
  @Column({ name: 'service_code', type: 'text' })
  serviceCode: string;

  /** "YYYY-MM-DD". */
  @Column({ name: 'effective_from', type: 'date' })
  effectiveFrom: string;

  /** "YYYY-MM-DD", the last day in force; null while no end is set. */
  @Column({ name: 'effective_to', type: 'date', nullable: true })
  effectiveTo: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
