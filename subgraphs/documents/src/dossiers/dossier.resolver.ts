import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, requirePrincipal } from '../../../shared/src';
import type { DocumentsContext } from '../context';
import { Account } from '../accounts/account.stub';
import { Agency } from '../agencies/agency.entity';
import { PublicService } from '../public-services/public-service.entity';
import { IntegratedDocument } from '../wallet/integrated-document.entity';
import { DossierStatus, DossierTransition } from './dossier-lifecycle';
import { Dossier } from './dossier.entity';
import { visibleTo } from './dossier.policy';
import type { DossierService } from './dossier.service';
import { AppointmentWindowType, CounterDossierInput, DossierConnection, DossierHistoryEntry, DossierListArgs, MarkResultReadyInput, SubmitDossierInput } from './dossier.types';

/** The public path of a dossier's receipt on the gateway; the PDF is the same path with `.pdf`. */
export const receiptPath = (dossierId: string) => `/dossiers/${dossierId}/receipt`;

@Resolver(() => Dossier)
export class DossierResolver {
  constructor(private readonly lifeCycle: DossierService, private readonly publicUrl: string) {}

  @Authorized()
  @Mutation(() => Dossier, { description: 'Submits a dossier online for the logged-in citizen (or, with a token from actForOrganisation, for the organisation).' })
  submitDossier(@Arg('input', () => SubmitDossierInput) input: SubmitDossierInput, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.submit(requirePrincipal(ctx), input, ctx.loaders);
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'A postal clerk takes in a paper dossier at their counter: RECEIVED at once, channel POSTAL_POINT.' })
  receivePaperDossier(@Arg('input', () => CounterDossierInput) input: CounterDossierInput, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.submitAtCounter(requirePrincipal(ctx), input, true, ctx.loaders);
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'A postal clerk submits a dossier online on an account holder\'s behalf: SUBMITTED, channel ONLINE.' })
  submitDossierOnBehalf(@Arg('input', () => CounterDossierInput) input: CounterDossierInput, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.submitAtCounter(requirePrincipal(ctx), input, false, ctx.loaders);
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'SUBMITTED → RECEIVED, by a level-2 official of the dossier\'s agency.' })
  receiveDossier(@Arg('id', () => ID) id: string, @Arg('reason', () => String, { nullable: true }) reason: string | null, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.transition(requirePrincipal(ctx), DossierTransition.RECEIVE, id, reason);
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'RECEIVED → IN_PROCESSING, by a level-2 official of the dossier\'s agency.' })
  startProcessing(@Arg('id', () => ID) id: string, @Arg('reason', () => String, { nullable: true }) reason: string | null, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.transition(requirePrincipal(ctx), DossierTransition.START_PROCESSING, id, reason);
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'IN_PROCESSING → NEEDS_SUPPLEMENT, by a level-2 official of the agency; the reason says what is missing.' })
  requestSupplement(@Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.transition(requirePrincipal(ctx), DossierTransition.REQUEST_SUPPLEMENT, id, reason);
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'NEEDS_SUPPLEMENT → IN_PROCESSING, by the applicant; the reason says what was supplied.' })
  supplyDossier(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Arg('attachmentDocumentIds', () => [ID], { nullable: true, description: 'More of the applicant\'s own documents to attach.' }) attachmentDocumentIds: string[] | null,
    @Ctx() ctx: DocumentsContext,
  ): Promise<Dossier> {
    return this.lifeCycle.transition(requirePrincipal(ctx), DossierTransition.SUPPLY, id, reason, { attachmentDocumentIds });
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'IN_PROCESSING → RESULT_READY, by a level-2 official of the agency; optionally with an amount to collect at the door.' })
  markResultReady(@Arg('input', () => MarkResultReadyInput) input: MarkResultReadyInput, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.transition(requirePrincipal(ctx), DossierTransition.MARK_RESULT_READY, input.dossierId, input.reason,
      { ...(input.cashOnDelivery === undefined ? {} : { cashOnDelivery: input.cashOnDelivery }), resultDocument: input.resultDocument });
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'RESULT_READY → RESULT_RETURNED, by a level-2 official of the agency or a level-2 clerk of the postal point that received it.' })
  returnResult(@Arg('id', () => ID) id: string, @Arg('reason', () => String, { nullable: true }) reason: string | null, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.transition(requirePrincipal(ctx), DossierTransition.RETURN_RESULT, id, reason);
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'SUBMITTED, RECEIVED or IN_PROCESSING → REJECTED, by a level-2 official of the agency, with the reason.' })
  rejectDossier(@Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.transition(requirePrincipal(ctx), DossierTransition.REJECT, id, reason);
  }

  @Authorized()
  @Mutation(() => Dossier, { description: 'SUBMITTED or RECEIVED → CANCELLED, by the applicant, before processing starts.' })
  cancelDossier(@Arg('id', () => ID) id: string, @Arg('reason', () => String, { nullable: true }) reason: string | null, @Ctx() ctx: DocumentsContext): Promise<Dossier> {
    return this.lifeCycle.transition(requirePrincipal(ctx), DossierTransition.CANCEL, id, reason);
  }

  @Authorized()
  @Query(() => Dossier, { nullable: true, description: 'Null when it does not exist or the caller may not see it.' })
  async dossier(@Arg('id', () => ID) id: string, @Ctx() ctx: DocumentsContext): Promise<Dossier | null> {
    return visibleTo(requirePrincipal(ctx), await ctx.loaders.dossiers.load(id));
  }

  @Authorized()
  @Query(() => Dossier, { nullable: true, description: 'By the code on the receipt; null when unknown or not visible to the caller.' })
  dossierByCode(@Arg('registrationCode', () => String) registrationCode: string, @Ctx() ctx: DocumentsContext): Promise<Dossier | null> {
    return this.lifeCycle.byCode(requirePrincipal(ctx), registrationCode.trim().toUpperCase());
  }

  @Authorized()
  @Query(() => DossierConnection, { description: 'Newest first: an agency\'s dossiers (agencyCode) or a postal point\'s (postalPointCode), optionally of one status.' })
  dossiers(@Args(() => DossierListArgs) args: DossierListArgs, @Ctx() ctx: DocumentsContext) {
    return this.lifeCycle.list(requirePrincipal(ctx), args, args.first, args.after);
  }

  @FieldResolver(() => PublicService)
  async service(@Root() dossier: Dossier, @Ctx() ctx: DocumentsContext): Promise<PublicService> {
    return (await ctx.loaders.services.load(dossier.serviceCode))!;
  }

  @FieldResolver(() => Agency, { description: 'The agency that handles it.' })
  async agency(@Root() dossier: Dossier, @Ctx() ctx: DocumentsContext): Promise<Agency> {
    return (await ctx.loaders.agencies.load(dossier.agencyCode))!;
  }

  @FieldResolver(() => [IntegratedDocument], { description: 'The applicant\'s integrated documents attached to it, by reference.' })
  async attachments(@Root() dossier: Dossier, @Ctx() ctx: DocumentsContext): Promise<IntegratedDocument[]> {
    const documents = await ctx.loaders.integratedDocuments.loadMany(await this.lifeCycle.attachments(dossier.id));
    return documents.filter((d): d is IntegratedDocument => !!d && !(d instanceof Error));
  }

  @FieldResolver(() => IntegratedDocument, { nullable: true, description: 'The document the returned result became in the applicant\'s wallet, when the result is a document.' })
  async resultDocument(@Root() dossier: Dossier, @Ctx() ctx: DocumentsContext): Promise<IntegratedDocument | null> {
    return dossier.resultDocumentId ? ctx.loaders.integratedDocuments.load(dossier.resultDocumentId) : null;
  }

  @FieldResolver(() => [DossierHistoryEntry], { description: 'Every step, oldest first: who, when, why.' })
  async history(@Root() dossier: Dossier): Promise<DossierHistoryEntry[]> {
    return (await this.lifeCycle.history(dossier.id)).map((e) => ({
      fromStatus: e.fromStatus, toStatus: e.toStatus, occurredAt: e.occurredAt, actorRole: e.actorRole, actor: { id: e.actorAccountId }, reason: e.reason,
    }));
  }

  @FieldResolver(() => String, { description: 'The receipt (phiếu tiếp nhận) as a printable page; the same URL with ".pdf" gives the PDF. Open it with the same Authorization header.' })
  receiptUrl(@Root() dossier: Dossier): string {
    return new URL(receiptPath(dossier.id), this.publicUrl).toString();
  }
}

/** When an appointment for a service can be made: from the catalogue to the portal's date picker. */
@Resolver(() => PublicService)
export class PublicServiceAppointmentResolver {
  constructor(private readonly dossiers: DossierService) {}

  @FieldResolver(() => AppointmentWindowType, { description: 'The working days a dossier submitted today may have its appointment on.' })
  appointmentWindow(@Root() service: PublicService, @Ctx() ctx: DocumentsContext): Promise<AppointmentWindowType> {
    return this.dossiers.appointmentWindow(service, ctx.loaders);
  }
}

/** Documents adds to identity's Account the dossiers its holder submitted. */
@Resolver(() => Account)
export class AccountDossiersResolver {
  constructor(private readonly service: DossierService) {}

  @FieldResolver(() => DossierConnection, { nullable: true, description: 'Newest first, optionally of one status. Only the holder (or an administrator) sees them. Null only with an error, when the documents service cannot answer: the rest of the account still does.' })
  dossiers(@Root() account: Account, @Args(() => PageArgs) page: PageArgs, @Arg('status', () => DossierStatus, { nullable: true }) status: DossierStatus | null, @Ctx() ctx: DocumentsContext) {
    return this.service.forAccount(requirePrincipal(ctx), account.id, status ?? undefined, page.first, page.after);
  }
}
