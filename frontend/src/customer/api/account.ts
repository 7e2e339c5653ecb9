import { api } from '../client';
import { errorFromResponse } from '../../lib/http-client';
import type { Account, CreditNote, CustomerInvoice, CylindersHeld, PaymentReceived, Profile } from './types';

export const getAccount = (): Promise<Account> => api.get('/api/customer/account/');
export const getCylinders = (): Promise<CylindersHeld> => api.get('/api/customer/cylinders/');
export const getPayments = (): Promise<PaymentReceived[]> => api.get('/api/customer/payments/');

export async function getInvoices(): Promise<CustomerInvoice[]> {
  return (await api.get('/api/customer/invoices/', { query: { page_size: 50 } })).results;
}

export async function getCreditNotes(): Promise<CreditNote[]> {
  return (await api.get('/api/customer/credit-notes/', { query: { page_size: 50 } })).results;
}

/** The contact's own switch for its order e-mails (name, e-mail and phone: the office corrects them). */
export const setOrderEmails = (notify_orders: boolean): Promise<Profile> =>
  api.json<Profile>('/api/customer/me/', { method: 'PATCH', body: { notify_orders } });

export const EXPORT_PATH = '/api/customer/me/export/';

export const statementPath = (from: string, to: string): string =>
  `/api/customer/statement/?${new URLSearchParams({ from, to, format: 'pdf' }).toString()}`;

/**
 * A PDF the API sends only with the Bearer token (so no plain link): fetched,
 * then saved through a temporary link. A refusal is the server's JSON error.
 */
export async function downloadPdf(path: string, fallbackName: string, accept = 'application/pdf'): Promise<void> {
  const res = await api.request(path, { headers: { Accept: accept } });
  if (!res.ok) throw await errorFromResponse(res);
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
