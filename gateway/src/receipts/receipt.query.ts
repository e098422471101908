import type { InProcessResult } from '../../../subgraphs/shared/src';

/**
 * The receipt's data, read through the graph with the caller's own token, so that documents decides who may
 * see the dossier. The applicant's name (identity, or the person without an account a clerk recorded) and the
 * fee due (payments) are asked under their own aliases of `dossier`: an error on a non-null field nulls
 * everything up to the nearest nullable one, and a refusal or an outage there must not take the core of the
 * receipt with it. The gateway still sends documents a single request for the three.
 */
export const RECEIPT_OPERATION_NAME = 'DossierReceipt';
export const RECEIPT_QUERY = `query ${RECEIPT_OPERATION_NAME}($id: ID!) {
  dossier(id: $id) {
    id registrationCode status channel submittedAt receivedAt appointmentDate deliveryMethod deliveryAddress
    service { name } agency { name }
  }
  applicant: dossier(id: $id) { applicant { fullName } applicantWithoutAccount { fullName } }
  fees: dossier(id: $id) { amountDue }
}`;

/** A dossier's receipt (phiếu tiếp nhận) as the graph answered it; null where a secondary field could not be read. */
export interface Receipt {
  id: string;
  registrationCode: string;
  status: string;
  channel: string;
  submittedAt: string;
  /** When it was received (tiếp nhận); null until then. */
  receivedAt: string | null;
  /** A calendar date, YYYY-MM-DD. */
  appointmentDate: string;
  deliveryMethod: string;
  deliveryAddress: string | null;
  serviceName: string;
  agencyName: string;
  applicantName: string | null;
  /** Whole đồng, as the Money scalar writes it ("135000"). */
  amountDue: string | null;
}

export type ReceiptLookup =
  | { kind: 'found'; receipt: Receipt }
  /** Not there, or not for this caller: the two are one answer. */
  | { kind: 'missing' }
  | { kind: 'unauthenticated' }
  | { kind: 'unavailable' };

interface CoreDossier {
  id: string; registrationCode: string; status: string; channel: string; submittedAt: string; receivedAt: string | null;
  appointmentDate: string; deliveryMethod: string; deliveryAddress: string | null; service: { name: string }; agency: { name: string };
}
interface ApplicantOf { applicant?: { fullName?: string } | null; applicantWithoutAccount?: { fullName?: string } | null }

/**
 * Reads the operation's answer: only the core `dossier` field decides between a receipt, nothing and a failure.
 * With the dossier there, errors concern the other aliases (the gateway reports a subgraph it could not reach
 * without a path). Without it, an error that is not the other aliases' is documents' or the token's: only a null
 * with no such error means "not there, or not yours" (identity and payments are asked nothing then).
 */
export function readReceipt(result: InProcessResult): ReceiptLookup {
  const data = result.data as { dossier?: CoreDossier | null; applicant?: ApplicantOf | null; fees?: { amountDue?: string | null } | null } | null | undefined;
  const dossier = data?.dossier;
  if (!dossier) {
    const coreErrors = (result.errors ?? []).filter((error) => !error.path || error.path[0] === 'dossier');
    if (coreErrors.some((error) => error.extensions?.code === 'UNAUTHENTICATED')) return { kind: 'unauthenticated' };
    return coreErrors.length ? { kind: 'unavailable' } : { kind: 'missing' };
  }
  return {
    kind: 'found',
    receipt: {
      id: dossier.id,
      registrationCode: dossier.registrationCode,
      status: dossier.status,
      channel: dossier.channel,
      submittedAt: dossier.submittedAt,
      receivedAt: dossier.receivedAt ?? null,
      appointmentDate: dossier.appointmentDate,
      deliveryMethod: dossier.deliveryMethod,
      deliveryAddress: dossier.deliveryAddress,
      serviceName: dossier.service.name,
      agencyName: dossier.agency.name,
      applicantName: data?.applicant?.applicant?.fullName ?? data?.applicant?.applicantWithoutAccount?.fullName ?? null,
      amountDue: data?.fees?.amountDue ?? null,
    },
  };
}
