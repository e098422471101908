import { registerEnumType } from 'type-graphql';
import type { Action } from '../../../shared/src';

/** The checked life cycle of a dossier (hồ sơ thủ tục hành chính). */
export enum DossierStatus {
  SUBMITTED = 'SUBMITTED', // đã nộp
  RECEIVED = 'RECEIVED', // đã tiếp nhận
  IN_PROCESSING = 'IN_PROCESSING', // đang xử lý
  NEEDS_SUPPLEMENT = 'NEEDS_SUPPLEMENT', // yêu cầu bổ sung
  RESULT_READY = 'RESULT_READY', // có kết quả
  RESULT_RETURNED = 'RESULT_RETURNED', // đã trả kết quả
  REJECTED = 'REJECTED', // từ chối
  CANCELLED = 'CANCELLED', // đã hủy
}
registerEnumType(DossierStatus, { name: 'DossierStatus' });

/** Each step a dossier can take after it exists; one mutation each. */
export enum DossierTransition {
  RECEIVE = 'RECEIVE',
  START_PROCESSING = 'START_PROCESSING',
  REQUEST_SUPPLEMENT = 'REQUEST_SUPPLEMENT',
  SUPPLY = 'SUPPLY',
  MARK_RESULT_READY = 'MARK_RESULT_READY',
  RETURN_RESULT = 'RETURN_RESULT',
  REJECT = 'REJECT',
  CANCEL = 'CANCEL',
}

type DossierAction = Extract<Action, `dossier.${string}`>;

export interface TransitionRule {
  /** The mutation that takes the step. */
  mutation: string;
  from: readonly DossierStatus[];
  to: DossierStatus;
  /** Who may take it: an action of the authorisation catalogue, decided on the dossier. */
  action: DossierAction;
  /** Whether the step needs a reason (it is recorded in the history either way). */
  reasonRequired: boolean;
}

/**
 * The one transition table. The applicant cancels only before processing starts; an official of the dossier's
 * agency receives, processes, asks for a supplement, decides and rejects; the applicant supplies what was
 * asked; the result is returned by the agency's official or at the postal point that received the dossier.
 */
export const TRANSITIONS: Readonly<Record<DossierTransition, TransitionRule>> = {
  [DossierTransition.RECEIVE]: { mutation: 'receiveDossier', from: [DossierStatus.SUBMITTED], to: DossierStatus.RECEIVED, action: 'dossier.receive', reasonRequired: false },
  [DossierTransition.START_PROCESSING]: { mutation: 'startProcessing', from: [DossierStatus.RECEIVED], to: DossierStatus.IN_PROCESSING, action: 'dossier.process', reasonRequired: false },
  [DossierTransition.REQUEST_SUPPLEMENT]: { mutation: 'requestSupplement', from: [DossierStatus.IN_PROCESSING], to: DossierStatus.NEEDS_SUPPLEMENT, action: 'dossier.process', reasonRequired: true },
  [DossierTransition.SUPPLY]: { mutation: 'supplyDossier', from: [DossierStatus.NEEDS_SUPPLEMENT], to: DossierStatus.IN_PROCESSING, action: 'dossier.amend', reasonRequired: true },
  [DossierTransition.MARK_RESULT_READY]: { mutation: 'markResultReady', from: [DossierStatus.IN_PROCESSING], to: DossierStatus.RESULT_READY, action: 'dossier.process', reasonRequired: false },
  [DossierTransition.RETURN_RESULT]: { mutation: 'returnResult', from: [DossierStatus.RESULT_READY], to: DossierStatus.RESULT_RETURNED, action: 'dossier.returnResult', reasonRequired: false },
  [DossierTransition.REJECT]: { mutation: 'rejectDossier', from: [DossierStatus.SUBMITTED, DossierStatus.RECEIVED, DossierStatus.IN_PROCESSING], to: DossierStatus.REJECTED, action: 'dossier.process', reasonRequired: true },
  [DossierTransition.CANCEL]: { mutation: 'cancelDossier', from: [DossierStatus.SUBMITTED, DossierStatus.RECEIVED], to: DossierStatus.CANCELLED, action: 'dossier.amend', reasonRequired: false },
};

export function canTransition(from: DossierStatus, to: DossierStatus): boolean {
  return Object.values(TRANSITIONS).some((t) => t.to === to && t.from.includes(from));
}

export function isFinal(status: DossierStatus): boolean {
  return !Object.values(TRANSITIONS).some((t) => t.from.includes(status));
}
