import type { DataSource } from 'typeorm';
import { newRegistrationCode } from '../dossiers/registration-code';

/** Development only: one submitted dossier for the demo citizen, so the first query shows something. */
export async function seedDemoDossier(db: DataSource, applicantAccountId: string): Promise<void> {
  const existing = await db.query(`SELECT 1 FROM documents.dossiers WHERE applicant_account_id = $1 LIMIT 1`, [applicantAccountId]);
  if (existing.length) return;
  await db.transaction(async (manager) => {
    const [dossier] = await manager.query(
      `INSERT INTO documents.dossiers (registration_code, service_code, applicant_account_id, status, channel, appointment_date, delivery_method, declared_at)
       VALUES ($1, 'GPLX_EXCHANGE', $2, 'SUBMITTED', 'ONLINE', (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 7, 'PICKUP', now()) RETURNING id`,
      [newRegistrationCode(), applicantAccountId]);
    await manager.query(`INSERT INTO documents.dossier_events (dossier_id, to_status, actor_account_id, actor_role) VALUES ($1, 'SUBMITTED', $2, 'CITIZEN')`, [dossier.id, applicantAccountId]);
  });
}
