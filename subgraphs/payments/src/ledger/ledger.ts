import type { EntityManager } from 'typeorm';

/**
 * The ledger's accounts. A posting's amount is signed: positive debits the account (cash in a till, money owed
 * to us), negative credits it (money we owe). Every ledger transaction's postings sum to zero, here and in the
 * database (the statement-level trigger on payments.ledger_entries).
 */
export const LedgerAccounts = {
  /** Cash held at a postal point's counter (tiền mặt tại điểm phục vụ). */
  postalPointCash: (postalPointCode: string) => `POSTAL_POINT_CASH:${postalPointCode}`,
  /** What we owe an agency for the money collected on its behalf (phải trả đơn vị thụ hưởng). */
  agencyPayable: (agencyCode: string) => `AGENCY_PAYABLE:${agencyCode}`,
  /** Online payments received through the payment gateway, not yet cleared to our bank. */
  onlineClearing: 'ONLINE_CLEARING',
  /** Cash postal points declared they remitted at the end of the day, on its way to the bank. */
  remittanceInTransit: 'REMITTANCE_IN_TRANSIT',
  /** The bank account agencies are settled from. */
  settlementBank: 'SETTLEMENT_BANK',
  /** Refunds owed to payers. */
  refundsPayable: 'REFUNDS_PAYABLE',
} as const;

export interface Posting { account: string; amount: bigint }

export class UnbalancedLedgerError extends Error {}

/** The postings' accounts once each (amounts of one account added up), in a stable order; throws unless they sum to zero. */
export function balanced(postings: readonly Posting[]): Posting[] {
  const byAccount = new Map<string, bigint>();
  for (const p of postings) byAccount.set(p.account, (byAccount.get(p.account) ?? 0n) + p.amount);
  const merged = [...byAccount].filter(([, amount]) => amount !== 0n).map(([account, amount]) => ({ account, amount }))
    .sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  const sum = merged.reduce((total, p) => total + p.amount, 0n);
  if (sum !== 0n) throw new UnbalancedLedgerError(`postings sum to ${sum}, not zero`);
  if (!merged.length) throw new UnbalancedLedgerError('a ledger transaction moves something');
  return merged;
}

/** Writes one ledger transaction's postings in one statement (the database checks the balance per statement). */
export async function writeLedgerTransaction(manager: EntityManager, businessDate: string, transactionId: string, postings: readonly Posting[]): Promise<void> {
  const rows = balanced(postings);
  await manager.query(
    `INSERT INTO payments.ledger_entries (business_date, transaction_id, account, amount)
     SELECT $1::date, $2::uuid, account, amount FROM unnest($3::text[], $4::bigint[]) AS p(account, amount)`,
    [businessDate, transactionId, rows.map((r) => r.account), rows.map((r) => r.amount.toString())],
  );
}

/** Both sides of a posting pair: `amount` moves from `credit` to `debit`. */
export function transfer(debit: string, credit: string, amount: bigint): Posting[] {
  return [{ account: debit, amount }, { account: credit, amount: -amount }];
}

/** The postings that undo others (a reversal): every sign flipped. */
export function mirrored(postings: readonly Posting[]): Posting[] {
  return postings.map((p) => ({ account: p.account, amount: -p.amount }));
}
