import type DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { assertCan, ConflictError, NotFoundError, type Logger, type Principal } from '../../../shared/src';
import { LedgerAccounts, transfer, writeLedgerTransaction } from '../ledger/ledger';
import type { PostalPoint } from '../postal-points/postal-point.entity';
import { checkRemittance } from './reconciliation.rules';
import { Remittance } from './remittance.entity';

export interface DeclareRemittanceInput { postalPointCode: string; businessDate: string; amount: bigint }

/** End-of-day cash declarations (nộp tiền cuối ngày). */
export class RemittanceService {
  /** Months whose ledger partitions this process has made sure of. */
  private readonly months = new Set<string>();

  /** `now` decides which business day is today (Vietnam's). */
  constructor(private readonly db: DataSource, private readonly log: Logger, private readonly now: () => Date = () => new Date()) {}

  /**
   * A level-2 clerk or supervisor of the point declares the cash it remitted for a business day (today or earlier),
   * once: a second declaration for the same point and day is CONFLICT, even when two race (the primary key decides).
   * The cash leaves the point's till for the bank: REMITTANCE_IN_TRANSIT +amount, POSTAL_POINT_CASH:<point> −amount
   * (nothing is posted for a declaration of zero).
   */
  async declare(principal: Principal | null, input: DeclareRemittanceInput, postalPoints: DataLoader<string, PostalPoint | null>): Promise<Remittance> {
    const postalPointCode = input.postalPointCode.trim();
    const by = assertCan(principal, 'remittance.declare', { postalPointCode }, 'Only a level-2 clerk or supervisor of this postal point declares its remittance.');
    checkRemittance(input.businessDate, input.amount, this.now());
    if (!(await postalPoints.load(postalPointCode))) throw new NotFoundError(`No postal point has the code "${postalPointCode}".`);
    const remittance = await this.db.transaction(async (manager) => {
      const [row]: { id: string; declared_at: Date }[] = await manager.query(
        `INSERT INTO payments.remittances (business_date, postal_point_code, amount, declared_by_account_id, declared_by_role)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (business_date, postal_point_code) DO NOTHING RETURNING id, declared_at`,
        [input.businessDate, postalPointCode, input.amount.toString(), by.accountId, by.role],
      );
      if (!row) throw new ConflictError(`Postal point ${postalPointCode} has already declared its remittance for ${input.businessDate}; a declaration is never changed.`);
      if (input.amount > 0n) {
        await this.ensureMonth(manager, input.businessDate);
        await writeLedgerTransaction(manager, input.businessDate, row.id,
          transfer(LedgerAccounts.remittanceInTransit, LedgerAccounts.postalPointCash(postalPointCode), input.amount));
      }
      return Object.assign(new Remittance(), {
        id: row.id, businessDate: input.businessDate, postalPointCode, amount: input.amount,
        declaredByAccountId: by.accountId, declaredByRole: by.role, declaredAt: row.declared_at,
      });
    });
    this.log.info('remittance declared', { remittanceId: remittance.id, postalPointCode, businessDate: input.businessDate, amount: input.amount.toString(), by: by.accountId });
    return remittance;
  }

  private async ensureMonth(manager: EntityManager, day: string): Promise<void> {
    const month = day.slice(0, 7);
    if (this.months.has(month)) return;
    await manager.query(`SELECT payments.ensure_month_partitions($1::date)`, [day]);
    this.months.add(month);
  }
}
