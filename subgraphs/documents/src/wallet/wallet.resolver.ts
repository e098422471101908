import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DateScalar, PageArgs, requirePrincipal } from '../../../shared/src';
import { Account } from '../accounts/account.stub';
import { Agency } from '../agencies/agency.entity';
import type { DocumentsContext } from '../context';
import { IntegratedDocument } from './integrated-document.entity';
import { visibleTo } from './integrated-document.policy';
import type { IntegratedDocumentService } from './integrated-document.service';
import { DocumentIntegrationRequest } from './integration-request.entity';
import type { IntegrationRequestService } from './integration-request.service';
import {
  AccountDocumentsArgs, DocumentIntegrationRequestConnection, IntegratedDocumentConnection, IntegrationRequestsArgs, IssueIntegratedDocumentInput,
  RequestDocumentIntegrationInput,
} from './wallet.types';

@Resolver(() => IntegratedDocument)
export class IntegratedDocumentResolver {
  constructor(private readonly documents: IntegratedDocumentService) {}

  @Authorized()
  @Query(() => IntegratedDocument, { nullable: true, description: 'For its holder, a level-2 administrator or a level-2 official of its issuer; null for anyone else and for an unknown id.' })
  integratedDocument(@Arg('id', () => ID) id: string, @Ctx() ctx: DocumentsContext): Promise<IntegratedDocument | null> {
    return this.documents.byId(requirePrincipal(ctx), id, ctx.loaders);
  }

  @Authorized()
  @Mutation(() => IntegratedDocument, {
    description: 'Puts a document into its holder\'s wallet, as a level-2 official of the agency that issues its type. The same facts again return it unchanged; '
      + 'a later issue date re-issues the number; a number in another holder\'s wallet is CONFLICT.',
  })
  issueIntegratedDocument(@Arg('input', () => IssueIntegratedDocumentInput) input: IssueIntegratedDocumentInput, @Ctx() ctx: DocumentsContext): Promise<IntegratedDocument> {
    return this.documents.issue(ctx.principal, input);
  }

  @Authorized()
  @Mutation(() => IntegratedDocument, { description: 'Revokes a document, as a level-2 official of its issuer, with a reason; revoking twice is CONFLICT.' })
  revokeIntegratedDocument(@Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: DocumentsContext): Promise<IntegratedDocument> {
    return this.documents.revoke(ctx.principal, id, reason);
  }

  @FieldResolver(() => Agency, { description: 'The agency that issued it.' })
  async issuer(@Root() document: IntegratedDocument, @Ctx() ctx: DocumentsContext): Promise<Agency> {
    return (await ctx.loaders.agencies.load(document.issuerAgencyCode))!;
  }
}

@Resolver(() => DocumentIntegrationRequest)
export class DocumentIntegrationRequestResolver {
  constructor(private readonly requests: IntegrationRequestService) {}

  @Authorized()
  @Mutation(() => DocumentIntegrationRequest, { description: 'Asks, as a citizen, for a document of one\'s own to be added to one\'s wallet; PENDING until the issuing agency decides. Asking again while it waits returns the same request.' })
  requestDocumentIntegration(@Arg('input', () => RequestDocumentIntegrationInput) input: RequestDocumentIntegrationInput, @Ctx() ctx: DocumentsContext): Promise<DocumentIntegrationRequest> {
    return this.requests.request(ctx.principal, input);
  }

  @Authorized()
  @Mutation(() => DocumentIntegrationRequest, { description: 'Approves a request with the facts from the issuer\'s records, as a level-2 official of the issuing agency: the document enters the wallet. Deciding twice is CONFLICT.' })
  approveDocumentIntegration(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('issuedOn', () => DateScalar) issuedOn: string,
    @Arg('expiresOn', () => DateScalar, { nullable: true }) expiresOn: string | null,
    @Arg('licenceClasses', () => [String], { nullable: true, description: 'DRIVING_LICENCE only.' }) licenceClasses: string[] | null,
    @Ctx() ctx: DocumentsContext,
  ): Promise<DocumentIntegrationRequest> {
    return this.requests.approve(ctx.principal, requestId, { issuedOn, expiresOn, licenceClasses });
  }

  @Authorized()
  @Mutation(() => DocumentIntegrationRequest, { description: 'Refuses a request with a reason, as a level-2 official of the issuing agency. Deciding twice is CONFLICT.' })
  refuseDocumentIntegration(@Arg('requestId', () => ID) requestId: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: DocumentsContext): Promise<DocumentIntegrationRequest> {
    return this.requests.refuse(ctx.principal, requestId, reason);
  }

  @Authorized()
  @Query(() => DocumentIntegrationRequestConnection, { description: 'For a level-2 official: the requests for the types their agency issues, oldest first.' })
  documentIntegrationRequests(@Args(() => IntegrationRequestsArgs) args: IntegrationRequestsArgs, @Ctx() ctx: DocumentsContext) {
    return this.requests.forAgency(requirePrincipal(ctx), args.status, args);
  }

  @FieldResolver(() => Agency, { description: 'The agency that decides it: the issuer of documents of its type.' })
  async issuer(@Root() request: DocumentIntegrationRequest, @Ctx() ctx: DocumentsContext): Promise<Agency> {
    return (await ctx.loaders.agencies.load(request.issuerAgencyCode))!;
  }

  @FieldResolver(() => IntegratedDocument, { nullable: true, description: 'The document an approval put into the wallet (null before, and for whoever may not see it).' })
  async document(@Root() request: DocumentIntegrationRequest, @Ctx() ctx: DocumentsContext): Promise<IntegratedDocument | null> {
    return request.documentId ? visibleTo(ctx.principal, await ctx.loaders.integratedDocuments.load(request.documentId)) : null;
  }
}

/** Documents adds to identity's Account the holder's wallet and their requests to add to it. */
@Resolver(() => Account)
export class AccountDocumentsResolver {
  constructor(private readonly wallet: IntegratedDocumentService, private readonly requests: IntegrationRequestService) {}

  @FieldResolver(() => IntegratedDocumentConnection, { nullable: true, description: 'The wallet (ví giấy tờ), newest issued first. Only the holder (or a level-2 administrator) sees it. Null only with an error, when the documents service cannot answer.' })
  documents(@Root() account: Account, @Args(() => AccountDocumentsArgs) args: AccountDocumentsArgs, @Ctx() ctx: DocumentsContext) {
    return this.wallet.forAccount(requirePrincipal(ctx), account.id, args);
  }

  @FieldResolver(() => DocumentIntegrationRequestConnection, { nullable: true, description: 'The holder\'s requests to add documents to their wallet, newest first. Only the holder (or a level-2 administrator) sees them. Null only with an error, when the documents service cannot answer.' })
  documentRequests(@Root() account: Account, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: DocumentsContext) {
    return this.requests.forAccount(requirePrincipal(ctx), account.id, page);
  }
}
