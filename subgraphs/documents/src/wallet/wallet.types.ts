import { ArgsType, Directive, Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType, DateScalar, PageArgs } from '../../../shared/src';
import { IntegratedDocumentStatus, IntegratedDocumentType } from './document-rules';
import { IntegratedDocument } from './integrated-document.entity';
import { DocumentIntegrationRequest, DocumentIntegrationRequestStatus } from './integration-request.entity';

@InputType()
export class IssueIntegratedDocumentInput {
  @Field(() => ID, { description: 'The account whose wallet receives it.' }) holderAccountId: string;
  @Field(() => IntegratedDocumentType, { description: 'Only the agency that issues this type may issue it.' }) type: IntegratedDocumentType;
  @Field({ description: 'In the format of its type; trimmed and upper-cased.' }) number: string;
  @Field(() => DateScalar, { description: 'Not in the future.' }) issuedOn: string;
  @Field(() => DateScalar, { nullable: true, description: 'After issuedOn; none for a TAX_CODE or a SOCIAL_INSURANCE_BOOK, which never expire.' }) expiresOn?: string | null;
  @Field(() => [String], { nullable: true, description: 'DRIVING_LICENCE only, at least one: A1, A, B1, B, C1, C, D1, D2, D, BE, C1E, CE, D1E, D2E, DE.' }) licenceClasses?: string[] | null;
}

@InputType()
export class RequestDocumentIntegrationInput {
  @Field(() => IntegratedDocumentType) type: IntegratedDocumentType;
  @Field({ description: 'The number on the document, in the format of its type.' }) number: string;
}

@ArgsType()
export class AccountDocumentsArgs extends PageArgs {
  @Field(() => IntegratedDocumentType, { nullable: true, description: 'Only documents of this type.' }) type?: IntegratedDocumentType | null;
  @Field(() => IntegratedDocumentStatus, { nullable: true, description: 'Only documents with this status today.' }) status?: IntegratedDocumentStatus | null;
}

@ArgsType()
export class IntegrationRequestsArgs extends PageArgs {
  @Field(() => DocumentIntegrationRequestStatus, { nullable: true, description: 'Only requests with this status (PENDING: the queue).' }) status?: DocumentIntegrationRequestStatus | null;
}

/**
 * A holder's documents of one type, as another subgraph names them: identity hands `{ holderAccountId type }` to
 * a partner whose consent covers that type. Only VALID documents, and only to whom the holder presents them.
 */
@ObjectType({ description: 'A holder\'s valid documents of one type, as presented to a partner with consent (eKYC).' })
@Directive('@key(fields: "holderAccountId type")')
export class DocumentsOfType {
  @Field(() => ID) holderAccountId: string;
  @Field(() => IntegratedDocumentType) type: IntegratedDocumentType;
  @Field(() => [IntegratedDocument], { description: 'The holder\'s VALID documents of this type, newest issued first; empty when none, or when the caller may not see them.' })
  documents: IntegratedDocument[];
}

@ObjectType()
export class IntegratedDocumentConnection extends ConnectionType(IntegratedDocument, 'IntegratedDocument') {}

@ObjectType()
export class DocumentIntegrationRequestConnection extends ConnectionType(DocumentIntegrationRequest, 'DocumentIntegrationRequest') {}
