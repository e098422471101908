import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { bigintMoney } from '../../../shared/src';

/** One line of a fee schedule (biểu phí, lệ phí), in the order it is printed on the receipt. */
@Entity({ name: 'fee_schedule_items' })
@Unique('fee_schedule_items_schedule_position_key', ['scheduleId', 'position'])
export class FeeScheduleItem {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The FeeScheduleRecord this line belongs to. */
  @Column({ name: 'schedule_id', type: 'uuid' })
  scheduleId: string;

  @Column({ type: 'text' })
  name: string;

  /** Whole đồng. */
  @Column({ type: 'bigint', transformer: bigintMoney })
  amount: bigint;

  @Column({ type: 'int' })
  position: number;
}
