import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** pg returns bigint columns as strings; inside the service money is a `bigint`, never a float. */
export const bigintMoney = {
  to: (value: bigint | null | undefined) => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};

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
