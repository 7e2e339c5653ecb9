import { api } from '../client';
import { errorFromResponse } from '../../lib/http-client';
import type { Account, CreditNote, CustomerInvoice, CylindersHeld, PaymentReceived } from './types';

export const getAccount = (): Promise<Account> => api.get('/api/customer/account/');
export const getCylinders = (): Promise<CylindersHeld> => api.get('/api/customer/cylinders/');
export const getPayments = (): Promise<PaymentReceived[]> => api.get('/api/customer/payments/');

export async function getInvoices(): Promise<CustomerInvoice[]> {
  return (await api.get('/api/customer/invoices/', { query: { page_size: 50 } })).results;
}

export async function getCreditNotes(): Promise<CreditNote[]> {
  return (await api.get('/api/customer/credit-notes/', { query: { page_size: 50 } })).results;
}

export const statementPath = (from: string, to: string): string =>
  `/api/customer/statement/?${new URLSearchParams({ from, to, format: 'pdf' }).toString()}`;

/**
 * A PDF the API sends only with the Bearer token (so no plain link): fetched,
 * then saved through a temporary link. A refusal is the server's JSON error.
 */
export async function downloadPdf(path: string, fallbackName: string): Promise<void> {
  const res = await api.request(path, { headers: { Accept: 'application/pdf' } });
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
