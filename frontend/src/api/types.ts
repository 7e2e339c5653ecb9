import type { components, paths } from './schema';

// Names for the server's shapes the app uses, all from the generated
// schema.d.ts (`npm run gen:api`), so a change on the server shows up here as
// a type error, not as a guess at runtime.

type Schemas = components['schemas'];

export type TokenPair = Schemas['TokenPair'];
export type Me = Schemas['Me'];
export type Role = Schemas['RoleEnum'];
export type Vehicle = Schemas['Vehicle'];
export type Depot = Schemas['Depot'];
export type CylinderType = Schemas['CylinderType'];
export type Customer = Schemas['Customer'];
export type Order = Schemas['Order'];
export type Invoice = Schemas['Invoice'];
export type InvoiceSummary = Schemas['InvoiceSummary'];
export type Company = Schemas['CompanyOutput'];

export type MyDay = Schemas['MyDayOutput'];
export type Stop = Schemas['StopOutput'];
export type StopCustomer = Schemas['StopCustomerOutput'];
export type VehicleStockRow = Schemas['VehicleStockRowOutput'];
export type DayTotals = Schemas['DayTotalsOutput'];
export type StockBalance = Schemas['StockBalance'];

export type PriceBook = Schemas['CustomerPricesOutput'];
export type PriceBookCustomer = Schemas['PricedCustomerOutput'];
export type DatedPrice = Schemas['PriceRowOutput'];

export type Device = Schemas['Device'];
export type SyncRequest = Schemas['SyncInputRequest'];
export type SyncResult = Schemas['SyncResult'];
export type SyncResponse = Schemas['SyncOutput'];
/** One signed event as POST /api/sync/ takes it. */
export type WireEvent = SyncRequest['events'][number];
/** The event types the server replays. */
export type EventType = WireEvent['type'];

/**
 * The outbox payload of each event type: the request body of the online call
 * it replays (the server validates it with the same input serializer), and
 * the 201 body that call answers.
 */
export interface EventPayloads {
  'distribution.create': Schemas['DistributionInputRequest'];
  'delivery.create': Schemas['DeliveryInputRequest'];
}
export interface EventResults {
  'distribution.create': Schemas['Distribution'];
  'delivery.create': Schemas['Delivery'];
}

// -- issue 13: serials, proof of delivery, deposits

/** `proof` of a delivery as the phone sends it (every field set): the files' SHA-256 are in the signed payload, the bytes are uploaded after. */
export type ProofInput = Required<Schemas['ProofInputRequest']>;
/** The proof of an applied delivery, with each file's upload state. */
export type ProofOutput = Schemas['Proof'];
/** A my-day stop's customer holding: cylinders held and deposit units per type. */
export type StopCylinders = Schemas['StopCylindersOutput'];
/** GET /api/customers/{id}/cylinders/ */
export type CustomerCylinders = Schemas['CustomerCylindersOutput'];
export type EventPayload = EventPayloads[EventType];
export type EventResult = EventResults[EventType];
export type DeliveryPayload = EventPayloads['delivery.create'];
export type DistributionPayload = EventPayloads['distribution.create'];
export type DeliveryLineInput = DeliveryPayload['lines'][number];
export type DistributionItemInput = DistributionPayload['items'][number];
export type PaymentMethod = DeliveryPayload['payment_method'];
export type DeliveryResult = EventResults['delivery.create'];

// -- paths -------------------------------------------------------------------------

type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Ok<Responses> = Responses extends Record<number | string, unknown>
  ? JsonBody<Responses[200 & keyof Responses]> | JsonBody<Responses[201 & keyof Responses]>
  : never;

/** Paths that answer GET with JSON. */
export type GetPath = { [P in keyof paths]: paths[P] extends { get: { responses: unknown } } ? P : never }[keyof paths];
/** The 2xx JSON body of GET `P`. */
export type GetBody<P extends GetPath> = paths[P] extends { get: { responses: infer R } } ? Ok<R> : never;
/** Paths that take a POST. */
export type PostPath = { [P in keyof paths]: paths[P] extends { post: { responses: unknown } } ? P : never }[keyof paths];
/** The JSON request body of POST `P`. */
export type PostRequest<P extends PostPath> = paths[P] extends { post: { requestBody?: infer B } } ? JsonBody<NonNullable<B>> : never;
/** The 2xx JSON body of POST `P`. */
export type PostBody<P extends PostPath> = paths[P] extends { post: { responses: infer R } } ? Ok<R> : never;
/** The {name} parameters of a templated path. */
export type PathParams<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? { [K in Name | keyof PathParams<Rest>]: string | number } : Record<never, never>;
/** The query parameters of GET `P`. */
export type GetQuery<P extends GetPath> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;
/** The item of a paginated GET `P`. */
export type ListItem<P extends GetPath> = GetBody<P> extends { results: (infer T)[] } ? T : never;
