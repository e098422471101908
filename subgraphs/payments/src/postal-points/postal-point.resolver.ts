import { Arg, Args, Ctx, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { ConnectionType, PageArgs, type Connection } from '../../../shared/src';
import type { PaymentsContext } from '../context';
import { PostalPoint } from './postal-point.entity';
import type { PostalPointService } from './postal-point.service';

@ObjectType()
export class PostalPointConnection extends ConnectionType(PostalPoint, 'PostalPoint') {}

@Resolver(() => PostalPoint)
export class PostalPointResolver {
  constructor(private readonly service: PostalPointService) {}

  @Query(() => PostalPoint, { nullable: true, description: 'A postal point by code; null when no point has it.' })
  postalPoint(@Arg('code', () => String) code: string, @Ctx() ctx: PaymentsContext): Promise<PostalPoint | null> {
    return ctx.loaders.postalPoints.load(code);
  }

  @Query(() => PostalPointConnection, { description: 'Postal points ordered by code, optionally of one province and matching a search (case and diacritics ignored) in name, district or address.' })
  postalPoints(
    @Arg('provinceCode', () => String, { nullable: true, description: 'Three digits, e.g. "001".' }) provinceCode: string | undefined,
    @Arg('search', () => String, { nullable: true, description: 'e.g. "ha noi" finds "Hà Nội".' }) search: string | undefined,
    @Args(() => PageArgs) page: PageArgs,
  ): Promise<Connection<PostalPoint>> {
    return this.service.list({ provinceCode, search }, page);
  }

  @Mutation(() => PostalPoint, { description: 'Opens or closes a postal point (administrators only).' })
  setPostalPointOpen(@Arg('code', () => String) code: string, @Arg('isOpen', () => Boolean) isOpen: boolean, @Ctx() ctx: PaymentsContext): Promise<PostalPoint> {
    return this.service.setOpen(code, isOpen, ctx.principal);
  }
}
