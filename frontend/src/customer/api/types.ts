import type { components } from '../../api/schema';

// Names for the customer endpoints' shapes (generated from the server's schema).
type S = components['schemas'];

export type Me = S['Me'];
export type Profile = S['ProfileOutput'];
export type BoughtType = S['BoughtTypeOutput'];
export type CustomerOrder = S['CustomerOrder'];
export type OrderInput = S['CustomerOrderInputRequest'];
export type Tracking = S['TrackingOutput'];
export type TrackingState = S['TrackingStateEnum'];
export type Quote = S['QuoteOutput'];
export type Account = S['AccountOutput'];
export type CustomerInvoice = S['CustomerInvoice'];
export type CreditNote = S['CustomerCreditNote'];
export type PaymentReceived = S['CustomerPaymentOutput'];
export type CylindersHeld = S['CustomerCylindersHeldOutput'];
