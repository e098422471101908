/**
 * Operation limits: one request may not make the graph do unbounded work. Checked in an Express
 * middleware on the parsed body, before Apollo validates, the gateway plans or any subgraph is called,
 * in time linear in the size of the document:
 *
 * - the document is parsed with a token cap (`maxTokens`), so parsing itself is bounded;
 * - the chosen operation is measured with its fragments expanded by memoisation: each fragment's figures
 *   are computed once and reused for every spread (a fragment cycle is refused, never followed), so 22
 *   fragments that each spread the next twice take ~100 visits of the document, not 2^22 copies;
 * - depth, aliases, root fields (a smaller cap for mutation fields: one request may not run a costly
 *   mutation many times), directives and a cost in which list sizes weigh (see `OperationCostModel`);
 * - strings with U+0000 (PostgreSQL cannot store them) in the variables or the query are BAD_USER_INPUT.
 *
 * Why not a validation rule: Apollo runs custom rules in the same pass as graphql-js's own, and the
 * gateway plans right after, expanding every fragment; our old depth rule itself re-walked each fragment
 * at every spread and took 8.5 s on such a document. Why not `@escape.tech/graphql-armor`: its limits are
 * validation rules too, its cost counts fields by depth without list sizes (`first: 100` weighs like
 * `first: 1`), and it walks a fragment again at every spread. Nothing it offers is missing here except
 * blocking field suggestions, which is Apollo's `hideSchemaDetailsFromClientErrors` anyway.
 */
import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  getNamedType, getNullableType, isInterfaceType, isListType, isObjectType, Kind, Lexer, parse, SchemaMetaFieldDef, Source, TokenKind,
  TypeMetaFieldDef, TypeNameMetaFieldDef,
  type ArgumentNode, type DirectiveNode, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLField,
  type GraphQLFormattedError, type GraphQLNamedType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './connection';
import type { FieldProblem } from './errors';
import type { Logger } from './logger';

export interface OperationLimits {
  /** Lexical tokens of the whole document (comments are not tokens); parsing stops past it. */
  maxTokens: number;
  /** Nested fields, fragments expanded, introspection included: `{ me { id } }` is 2. */
  maxDepth: number;
  /** Aliased fields, counted after fragment expansion (an aliased field in a fragment spread 3 times counts 3). */
  maxAliases: number;
  /** Fields at the root of a query, after fragment expansion. */
  maxRootFields: number;
  /** Fields at the root of a mutation, after fragment expansion: each may run a costly write (a 32 MB scrypt). */
  maxMutationFields: number;
  /** Directive uses, after fragment expansion. */
  maxDirectives: number;
  /** See `OperationCostModel`. */
  maxCost: number;
}

/**
 * The cost of an operation is the number of fields it may resolve, list sizes included:
 * - every field costs 1 (`__typename` and introspection fields too);
 * - a field that takes `first` multiplies the cost of its sub-selection by `first` (a literal, or the
 *   variable's value; `defaultPageSize` when omitted or null; at most `maxPageSize`, because `pageSize()`
 *   refuses more before any row is read);
 * - the list directly inside a connection (`edges`, `nodes` on a `…Connection` type) is that page: not
 *   multiplied again;
 * - `_entities` multiplies by the number of representations it is given;
 * - any other list-typed field multiplies by `defaultListSize` (a fee schedule's items, introspection's
 *   types and fields): we cannot know its length before running it.
 * Without a schema (the gateway before it has loaded one) only the arguments are known: `first` and
 * `_entities` weigh, other lists count as one.
 */
export interface OperationCostModel {
  defaultPageSize: number;
  maxPageSize: number;
  defaultListSize: number;
}

/**
 * GraphQL Armor's starting points, set against the portals' real queries (the e2e tests, the explorer's
 * examples, the bench; measured with the supergraph's API schema):
 * - depth 10: the deepest real query is 8 (`me { dossiers { edges { node { service { feeSchedule { items
 *   { name } } } } } } }`), the portal's own 7; Armor's 6 would refuse both;
 * - cost 5000: the costliest real query is the catalogue with its fee items at `first: 100` (2701); the
 *   portal's dossiers cost 83 at `first: 10` and 803 at `first: 100`. 5000 keeps ~2× room over the
 *   biggest while refusing a page nested in a page (20 × 20 × … is 25682 for the 13-level query);
 * - root fields 10, mutation fields 1: real queries ask for at most 2 root fields, and every portal
 *   mutation is one action per request (login, registerCitizen: each a 32 MB scrypt);
 * - aliases 15, directives 50, tokens 1000: Armor's; the biggest real document has 43 tokens and none
 *   uses an alias or a directive.
 */
export const DEFAULT_OPERATION_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxTokens: 1000,
  maxDepth: 10,
  maxAliases: 15,
  maxRootFields: 10,
  maxMutationFields: 1,
  maxDirectives: 50,
  maxCost: 5000,
});

export const DEFAULT_COST_MODEL: Readonly<OperationCostModel> = Object.freeze({
  defaultPageSize: DEFAULT_PAGE_SIZE,
  maxPageSize: MAX_PAGE_SIZE,
  defaultListSize: 10,
});

export type LimitName = keyof OperationLimits | 'fragmentCycles';

export interface LimitViolation { limit: LimitName; max: number; actual: number; message: string }

/** A GraphQL request as it arrives (POST body or GET parameters). */
export interface OperationRequest {
  query?: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  /** The `sha256Hash` of an automatic persisted query, when the request carries one. */
  persistedQueryHash?: string;
}

/** What the middleware answers instead of Apollo: an HTTP status and a GraphQL error response. */
export interface Refusal { status: number; body: { errors: GraphQLFormattedError[] } }

// ---------------------------------------------------------------------------------------------------
// Analysis of one document: variable-independent figures and a cost expression in the variables.
// ---------------------------------------------------------------------------------------------------

/** A multiplier known only with the variables: `first: $n` or `_entities(representations: $r)`. */
interface VariableMultiplier { variable: string; kind: 'first' | 'length'; fallback: number }
type Multiplier = number | VariableMultiplier;
/** A cost that depends on variables: constant + Σ multiplier × body. Shared between spreads (a DAG). */
interface CostNode { constant: number; terms: { multiplier: Multiplier; body: CostExpression }[] }
type CostExpression = number | CostNode;

interface Figures { depth: number; aliases: number; rootFields: number; directives: number; cost: CostExpression }

export interface OperationAnalysis {
  /** `pass`: not ours to judge (syntax error, no such operation): Apollo answers it as usual. */
  kind: 'pass' | 'analysed';
  operationType?: 'query' | 'mutation' | 'subscription';
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
  /** Variable-independent violations (everything but the cost when the cost depends on variables). */
  violations: LimitViolation[];
  cost: CostExpression;
  /** Strings with U+0000 written in the document itself (`"\u0000"` escapes): `{ field, message }`. */
  problems: FieldProblem[];
  /** Selections visited: linear in the document, whatever its fragments expand to. */
  visits: number;
}

const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

class FragmentCycle extends Error {
  constructor(readonly path: string[]) { super(`fragment cycle ${path.join(' → ')}`); }
}

/** Sums costs into one node: constants add up, variable parts become terms (shared nodes stay shared). */
class CostSum {
  private constant = 0;
  private readonly terms: CostNode['terms'] = [];
  /** Adds `multiplier × cost`. */
  add(cost: CostExpression, multiplier: Multiplier = 1): void {
    if (typeof cost === 'number' && typeof multiplier === 'number') this.constant += multiplier * cost;
    else if (cost !== 0) this.terms.push({ multiplier, body: cost });
  }
  get result(): CostExpression {
    return this.terms.length ? { constant: this.constant, terms: this.terms } : this.constant;
  }
}

/** The cost with these variables; each shared node is evaluated once. */
export function evaluateCost(expression: CostExpression, variables: Record<string, unknown> | null | undefined, model: OperationCostModel): number {
  const memo = new Map<CostNode, number>();
  const valueOf = (m: Multiplier): number => {
    if (typeof m === 'number') return m;
    const value = variables?.[m.variable];
    if (m.kind === 'length') return Array.isArray(value) ? value.length : 1;
    if (value === null) return model.defaultPageSize; // an explicit null is not the variable's default
    return typeof value === 'number' && Number.isInteger(value) ? clampPage(value, model) : m.fallback;
  };
  const evaluate = (e: CostExpression): number => {
    if (typeof e === 'number') return e;
    const known = memo.get(e);
    if (known !== undefined) return known;
    let total = e.constant;
    for (const term of e.terms) total += valueOf(term.multiplier) * evaluate(term.body);
    memo.set(e, total);
    return total;
  };
  return evaluate(expression);
}

function clampPage(first: number, model: OperationCostModel): number {
  return Math.min(Math.max(first, 0), model.maxPageSize);
}

function argument(field: FieldNode, name: string): ArgumentNode | undefined {
  return field.arguments?.find((a) => a.name.value === name);
}

function fieldDefinition(schema: GraphQLSchema | undefined, parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (!schema || !parent) return undefined;
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

function isConnectionType(type: GraphQLNamedType | undefined): boolean {
  return !!type && isObjectType(type) && type.name.endsWith('Connection') && 'edges' in type.getFields();
}

/**
 * Measures the operation `operationName` of `document` (the only one when unnamed). Linear in the
 * document: every fragment is measured once, whatever number of times it is spread.
 */
export function analyseOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  options: { limits: OperationLimits; schema?: GraphQLSchema; cost?: OperationCostModel },
): OperationAnalysis {
  const { limits, schema } = options;
  const model = options.cost ?? DEFAULT_COST_MODEL;
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  const empty: OperationAnalysis = { kind: 'pass', depth: 0, aliases: 0, rootFields: 0, directives: 0, violations: [], cost: 0, problems: [], visits: 0 };
  // Several operations and no name, or an unknown name: Apollo refuses it after validation, which is
  // polynomial (graphql-js's rules took 2 ms on the fragment fan-out); nothing is planned or run.
  if (!operation) return empty;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(d.name.value)) fragments.set(d.name.value, d);
  const variableDefaults = new Map<string, number>();
  for (const v of operation.variableDefinitions ?? []) {
    if (v.defaultValue?.kind === Kind.INT) variableDefaults.set(v.variable.name.value, clampPage(Number(v.defaultValue.value), model));
  }

  let visits = 0;
  const memo = new Map<string, Figures>();
  const inProgress: string[] = [];
  const inProgressSet = new Set<string>();

  const multiplierOf = (field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined, parent: GraphQLNamedType | undefined): Multiplier => {
    const first = argument(field, 'first');
    if (first || definition?.args.some((a) => a.name === 'first')) {
      const value = first?.value;
      if (value?.kind === Kind.INT) return clampPage(Number(value.value), model);
      if (value?.kind === Kind.VARIABLE) return { variable: value.name.value, kind: 'first', fallback: variableDefaults.get(value.name.value) ?? model.defaultPageSize };
      return model.defaultPageSize;
    }
    if (field.name.value === '_entities') {
      const value = argument(field, 'representations')?.value;
      if (value?.kind === Kind.LIST) return value.values.length;
      if (value?.kind === Kind.VARIABLE) return { variable: value.name.value, kind: 'length', fallback: 1 };
      return 1;
    }
    if (definition && isListType(getNullableType(definition.type)) && !isConnectionType(parent)) return model.defaultListSize;
    return 1;
  };

  const measure = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): Figures => {
    let depth = 0;
    let aliases = 0;
    let rootFields = 0;
    let directives = 0;
    const cost = new CostSum();
    for (const selection of selectionSet.selections) {
      visits++;
      directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const definition = fieldDefinition(schema, parent, selection.name.value);
        const inner = selection.selectionSet
          ? measure(selection.selectionSet, definition ? getNamedType(definition.type) : undefined)
          : undefined;
        rootFields += 1;
        if (selection.alias) aliases += 1;
        depth = Math.max(depth, 1 + (inner?.depth ?? 0));
        aliases += inner?.aliases ?? 0;
        directives += inner?.directives ?? 0;
        cost.add(1);
        if (inner) cost.add(inner.cost, multiplierOf(selection, definition, parent));
        continue;
      }
      const inner = selection.kind === Kind.INLINE_FRAGMENT
        ? measure(selection.selectionSet, selection.typeCondition ? (schema?.getType(selection.typeCondition.name.value) ?? undefined) : parent)
        : spread(selection.name.value);
      if (!inner) continue; // an unknown fragment: validation names it
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
      rootFields += inner.rootFields;
      directives += inner.directives;
      cost.add(inner.cost);
    }
    return { depth, aliases, rootFields, directives, cost: cost.result };
  };

  const spread = (name: string): Figures | undefined => {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment) return undefined;
    if (inProgressSet.has(name)) throw new FragmentCycle([...inProgress.slice(inProgress.indexOf(name)), name]);
    inProgress.push(name);
    inProgressSet.add(name);
    const figures = measure(fragment.selectionSet, schema?.getType(fragment.typeCondition.name.value) ?? undefined);
    inProgress.pop();
    inProgressSet.delete(name);
    figures.directives += fragment.directives?.length ?? 0;
    memo.set(name, figures);
    return figures;
  };

  const operationType = operation.operation as OperationAnalysis['operationType'];
  let figures: Figures;
  try {
    const root = schema ? (operationType === 'mutation' ? schema.getMutationType() : operationType === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType()) : undefined;
    figures = measure(operation.selectionSet, root ?? undefined);
  } catch (error) {
    if (!(error instanceof FragmentCycle)) throw error;
    const cycle = error.path.join(' → ');
    return {
      ...empty, kind: 'analysed', operationType, visits,
      violations: [{ limit: 'fragmentCycles', max: 0, actual: 1, message: `Fragment "${error.path[0]}" spreads itself (${cycle}); fragment cycles are not allowed (limit fragmentCycles).` }],
    };
  }
  figures.directives += (operation.directives?.length ?? 0) + (operation.variableDefinitions ?? []).reduce((n, v) => n + (v.directives?.length ?? 0), 0);

  const violations: LimitViolation[] = [];
  const check = (limit: keyof OperationLimits, actual: number, message: (actual: number, max: number) => string) => {
    if (actual > limits[limit]) violations.push({ limit, max: limits[limit], actual: reportable(actual), message: `${message(reportable(actual), limits[limit])} (limit ${limit}).` });
  };
  const are = (max: number) => (max === 1 ? 'is' : 'are');
  check('maxDepth', figures.depth, (n, max) => `The operation is ${n} levels deep; at most ${max} ${are(max)} allowed`);
  if (operationType === 'mutation') check('maxMutationFields', figures.rootFields, (n, max) => `The operation runs ${n} mutation fields; at most ${max} ${are(max)} allowed in one request`);
  else check('maxRootFields', figures.rootFields, (n, max) => `The operation asks for ${n} root fields; at most ${max} ${are(max)} allowed`);
  check('maxAliases', figures.aliases, (n, max) => `The operation uses ${n} aliases; at most ${max} ${are(max)} allowed`);
  check('maxDirectives', figures.directives, (n, max) => `The operation uses ${n} directives; at most ${max} ${are(max)} allowed`);
  // A cost that does not depend on variables is judged once, here; otherwise with each request's variables.
  if (typeof figures.cost === 'number') check('maxCost', figures.cost, costMessage);

  return {
    kind: 'analysed', operationType, depth: figures.depth, aliases: figures.aliases, rootFields: figures.rootFields, directives: figures.directives,
    violations, cost: figures.cost, problems: nulInDocument(document), visits,
  };
}

const costMessage = (n: number, max: number) => `The operation costs ${n}; at most ${max} is allowed`;

/** Figures past 2^53 (a fan-out of fragments) are reported as that: JSON has no Infinity. */
function reportable(n: number): number {
  return Number.isFinite(n) && n <= Number.MAX_SAFE_INTEGER ? n : Number.MAX_SAFE_INTEGER;
}

/** String literals of the document whose value holds U+0000 (a `\u0000` escape), named by argument path. */
function nulInDocument(document: DocumentNode): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const walkValue = (value: ValueNode, path: string) => {
    if (problems.length >= MAX_PROBLEMS) return;
    if (value.kind === Kind.STRING && value.value.includes('\u0000')) problems.push({ field: path, message: NUL_MESSAGE });
    else if (value.kind === Kind.LIST) value.values.forEach((v, i) => walkValue(v, `${path}[${i}]`));
    else if (value.kind === Kind.OBJECT) value.fields.forEach((f) => walkValue(f.value, `${path}.${f.name.value}`));
  };
  const walkDirectives = (directives: readonly DirectiveNode[] | undefined) => {
    for (const d of directives ?? []) for (const a of d.arguments ?? []) walkValue(a.value, `@${d.name.value}.${a.name.value}`);
  };
  const walkSelections = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      walkDirectives(selection.directives);
      if (selection.kind === Kind.FIELD) {
        for (const a of selection.arguments ?? []) walkValue(a.value, `${selection.name.value}.${a.name.value}`);
        walkSelections(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) walkSelections(selection.selectionSet);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      for (const v of definition.variableDefinitions ?? []) if (v.defaultValue) walkValue(v.defaultValue, v.variable.name.value);
      walkDirectives(definition.directives);
      walkSelections(definition.selectionSet);
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      walkDirectives(definition.directives);
      walkSelections(definition.selectionSet);
    }
  }
  return problems;
}

const MAX_PROBLEMS = 20;

/**
 * Every string of the variables that holds U+0000, by path (`input.fullName`, `items[2]`); object keys
 * too. Iterative: a deeply nested JSON body cannot overflow the stack.
 */
export function nulInVariables(variables: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: [unknown, string][] = [[variables, '']];
  while (stack.length && problems.length < MAX_PROBLEMS) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) problems.push({ field: path || 'variables', message: NUL_MESSAGE });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i];
        const at = path ? `${path}.${key}` : key;
        if (key.includes('\u0000')) problems.push({ field: at.replace(/\u0000/g, '\\u0000'), message: NUL_MESSAGE });
        stack.push([inner, at]);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// The checker: a bounded cache of analyses, then the variable-dependent part per request.
// ---------------------------------------------------------------------------------------------------

interface Verdict {
  kind: 'pass' | 'refused' | 'analysed';
  /** Refusals that do not depend on variables (tokens, depth, …; the cost when it is constant). */
  violations: LimitViolation[];
  problems: FieldProblem[];
  /** A number, or an expression in the page sizes and representation counts the variables give. */
  cost: CostExpression;
}

export interface OperationLimitsOptions {
  limits?: Partial<OperationLimits>;
  cost?: Partial<OperationCostModel>;
  /** The schema that types the cost (list fields, `first` defaults); undefined until the gateway has one. */
  schema?: () => GraphQLSchema | undefined;
  /** Requests to let through unchecked, e.g. `(req, res) => res.locals.viaGateway === true` at a subgraph. */
  skip?: (req: Request, res: Response) => boolean;
  /** Each refusal is logged at warn (operation name, limits; never the variables). */
  log?: Logger;
  /** Analyses kept, by hash of (query, operationName). */
  cacheSize?: number;
}

export class OperationLimitChecker {
  readonly limits: OperationLimits;
  readonly model: OperationCostModel;
  private readonly cache = new Map<string, Verdict>();
  private readonly cacheSize: number;
  private cachedFor: GraphQLSchema | undefined;
  /** Documents analysed (cache misses), for tests and metrics. */
  analyses = 0;

  constructor(private readonly options: Omit<OperationLimitsOptions, 'skip' | 'log'> = {}) {
    this.limits = { ...DEFAULT_OPERATION_LIMITS, ...definedOnly(options.limits) };
    this.model = { ...DEFAULT_COST_MODEL, ...definedOnly(options.cost) };
    this.cacheSize = Math.max(1, options.cacheSize ?? 1000);
  }

  /** Undefined when the request may go on to Apollo; otherwise what to answer instead. */
  check(request: OperationRequest): Refusal | undefined {
    const problems = nulInVariables(request.variables);
    if (typeof request.query === 'string' && request.query.includes('\u0000')) problems.unshift({ field: 'query', message: NUL_MESSAGE });
    if (problems.length) return badInput(problems);

    const verdict = this.verdictFor(request);
    if (verdict === 'unknown-persisted-query') {
      // Apollo would run the stored query with these variables unchecked: make the client send it again.
      return { status: 200, body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] } };
    }
    if (!verdict || verdict.kind === 'pass') return undefined;
    if (verdict.problems.length) return badInput(verdict.problems);
    const violations = [...verdict.violations];
    if (typeof verdict.cost !== 'number') {
      // Linear in the analysed document's variable parts; the AST itself is not kept.
      const cost = evaluateCost(verdict.cost, request.variables, this.model);
      if (cost > this.limits.maxCost) {
        violations.push({ limit: 'maxCost', max: this.limits.maxCost, actual: reportable(cost), message: `${costMessage(reportable(cost), this.limits.maxCost)} (limit maxCost).` });
      }
    }
    if (!violations.length) return undefined;
    return {
      status: 400,
      body: { errors: violations.map(({ message, limit, max, actual }) => ({ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, max, actual } })) },
    };
  }

  private verdictFor(request: OperationRequest): Verdict | 'unknown-persisted-query' | undefined {
    const schema = this.options.schema?.();
    if (schema !== this.cachedFor) { this.cache.clear(); this.cachedFor = schema; }
    const hash = typeof request.query === 'string' ? createHash('sha256').update(request.query).digest('hex') : request.persistedQueryHash;
    if (!hash) return undefined;
    const key = `${hash}\u0001${request.operationName ?? ''}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    if (typeof request.query !== 'string') return 'unknown-persisted-query';
    const verdict = this.analyse(request.query, request.operationName, schema);
    this.cache.set(key, verdict);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return verdict;
  }

  private analyse(query: string, operationName: string | null | undefined, schema: GraphQLSchema | undefined): Verdict {
    this.analyses++;
    let document: DocumentNode;
    try {
      document = parse(new Source(query), { maxTokens: this.limits.maxTokens, noLocation: true });
    } catch (error) {
      const max = this.limits.maxTokens;
      if (!/tokens\. Parsing aborted\./.test((error as Error).message)) return { kind: 'pass', violations: [], problems: [], cost: 0 }; // a syntax error: Apollo reports it
      const actual = countTokens(query, max);
      return {
        kind: 'refused', problems: [], cost: 0,
        violations: [{ limit: 'maxTokens', max, actual, message: `The document has ${actual} tokens; at most ${max} ${max === 1 ? 'is' : 'are'} allowed (limit maxTokens).` }],
      };
    }
    const analysis = analyseOperation(document, operationName, { limits: this.limits, schema, cost: this.model });
    return { kind: analysis.kind, violations: analysis.violations, problems: analysis.problems, cost: analysis.cost };
  }
}

/** Counts the document's tokens (only called when it has too many), stopping at 100 × the limit. */
function countTokens(query: string, max: number): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF && count <= max * 100) count++;
  } catch { /* a syntax error further on: what was counted is enough */ }
  return Math.max(count, max + 1);
}

function badInput(problems: FieldProblem[]): Refusal {
  return { status: 400, body: { errors: [{ message: 'Text must not contain the NUL character (U+0000).', extensions: { code: 'BAD_USER_INPUT', problems } }] } };
}

function definedOnly<T extends object>(values: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The GraphQL requests of an HTTP request: a JSON body (one, or a batch) or GET parameters. */
function requestsOf(req: Request): OperationRequest[] | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') {
    const q = req.query as Record<string, unknown>;
    const json = (text: unknown): unknown => {
      if (typeof text !== 'string') return undefined;
      try { return JSON.parse(text); } catch { return undefined; }
    };
    const request = asOperationRequest({ query: q.query, operationName: q.operationName, variables: json(q.variables), extensions: json(q.extensions) });
    return request ? [request] : undefined;
  }
  const body: unknown = req.body;
  const items = Array.isArray(body) ? body : [body];
  const requests = items.map(asOperationRequest).filter((r): r is OperationRequest => !!r);
  return requests.length ? requests : undefined;
}

function asOperationRequest(item: unknown): OperationRequest | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const { query, operationName, variables, extensions } = item as Record<string, unknown>;
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  const persistedQueryHash = typeof hash === 'string' ? hash : undefined;
  if (typeof query !== 'string' && !persistedQueryHash) return undefined;
  return {
    query: typeof query === 'string' ? query : undefined,
    operationName: typeof operationName === 'string' ? operationName : undefined,
    // Variables that are not an object are Apollo's to refuse; their strings are still checked for NUL.
    variables: variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : undefined,
    persistedQueryHash,
  };
}

/**
 * Express middleware for `/graphql`, after `express.json()` and before Apollo: refuses an operation over
 * a limit with HTTP 400 `{ errors: [{ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit,
 * max, actual } }] }`, and a NUL character with 400 BAD_USER_INPUT. Anything that is not a GraphQL
 * request, or does not parse, goes on to Apollo untouched. An automatic persisted query sent by hash
 * alone that this checker has not analysed is answered PERSISTED_QUERY_NOT_FOUND, so the client sends
 * the full text once and it is checked (Apollo's store would otherwise run it unchecked).
 */
export function operationLimitsMiddleware(options: OperationLimitsOptions = {}): RequestHandler & { checker: OperationLimitChecker } {
  const checker = new OperationLimitChecker(options);
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    if (options.skip?.(req, res)) return next();
    for (const request of requestsOf(req) ?? []) {
      const refusal = checker.check(request);
      if (!refusal) continue;
      options.log?.warn('operation refused', {
        requestId: res.locals.requestId,
        operation: request.operationName ?? null,
        refused: refusal.body.errors.map((e) => e.extensions?.limit ?? e.extensions?.code),
      });
      if (refusal.status === 200) res.setHeader('cache-control', 'private, no-cache, must-revalidate');
      res.status(refusal.status).json(refusal.body);
      return;
    }
    next();
  };
  return Object.assign(middleware, { checker });
}
