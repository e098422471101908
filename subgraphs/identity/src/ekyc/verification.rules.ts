import type { FieldProblem } from '../../../shared/src';
import { tidyText } from '../partners/partner-rules';
import type { Claims } from './matching';

export interface VerificationRequest extends Claims { personalIdNumber: string; purpose: string }

const LIMITS: [keyof Claims, number][] = [['fullName', 200], ['phone', 32], ['email', 254]];

/**
 * The request as it will be checked, and every problem with it at once. Nothing here looks anything up: a
 * malformed request is refused the same way whoever it names.
 */
export function checkVerificationRequest(input: VerificationRequest): { value: VerificationRequest; problems: FieldProblem[] } {
  const value: VerificationRequest = { ...input, personalIdNumber: input.personalIdNumber.trim(), purpose: tidyText(input.purpose) };
  const problems: FieldProblem[] = [];
  if (!/^\d{12}$/.test(value.personalIdNumber)) problems.push({ field: 'personalIdNumber', message: 'A personal identification number has 12 digits.' });
  if (value.purpose.length < 3 || value.purpose.length > 500) problems.push({ field: 'purpose', message: 'The purpose must be 3–500 characters.' });
  for (const [field, max] of LIMITS) {
    const claimed = value[field];
    if (typeof claimed === 'string' && (!claimed.trim() || claimed.length > max)) problems.push({ field, message: `When given, ${field} must be 1–${max} characters.` });
  }
  return { value, problems };
}
