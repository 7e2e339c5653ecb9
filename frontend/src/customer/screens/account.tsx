import { useState } from 'react';
import { Button } from '../../components/ui/button';
import { Card } from '../../components/ui/card';
import { downloadPdf, EXPORT_PATH, getAccount, getCreditNotes, getCylinders, getInvoices, getPayments, setOrderEmails, statementPath } from '../api/account';
import type { CustomerInvoice } from '../api/types';
import { Loading, Page } from '../components/page';
import { PayNowQr } from '../components/paynow-qr';
import { ProblemNotice } from '../components/problem';
import { day, sgd } from '../format';
import { addDays, singaporeDate } from '../order-rules';
import { useSession } from '../session';
import { useLoad } from '../use-load';

const AGEING: [string, string][] = [
  ['current', 'Not yet due'],
  ['1_30', '1–30 days overdue'],
  ['31_60', '31–60 days overdue'],
  ['61_90', '61–90 days overdue'],
  ['over_90', 'Over 90 days overdue'],
];

const STATUS: Record<CustomerInvoice['status'], string> = { ISSUED: 'Unpaid', PARTLY_PAID: 'Partly paid', PAID: 'Paid', PARTLY_CREDITED: 'Partly credited', CREDITED: 'Credited' };

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <Card className="space-y-3" data-testid={id}>
      <h2 id={`${id}-title`} className="text-lg font-bold">
        {title}
      </h2>
      {children}
    </Card>
  );
}

export default function AccountScreen() {
  const { profile, logout, refreshProfile } = useSession();
  const [detailsError, setDetailsError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [emails, setEmails] = useState<boolean>(); // shown at once, put back if the server refuses
  const account = useLoad(getAccount);
  const invoices = useLoad(getInvoices);
  const credits = useLoad(getCreditNotes);
  const payments = useLoad(getPayments);
  const cylinders = useLoad(getCylinders);
  const [pdfError, setPdfError] = useState<unknown>();

  async function pdf(path: string, name: string) {
    setPdfError(undefined);
    try {
      await downloadPdf(path, name);
    } catch (e) {
      setPdfError(e);
    }
  }

  return (
    <Page title="My account" testid="account">
      <p className="text-stone-700">
        {profile?.customer.name} · {profile?.customer.code} · {profile?.customer.payment_terms === 'CREDIT' ? `credit ${profile.customer.credit_term_days} days` : 'cash on delivery'}
      </p>

      <Section id="balance" title="Balance due">
        <ProblemNotice error={account.error} />
        {account.data ? (
          <>
            <p className="text-3xl font-bold tabular-nums" data-testid="account-balance">
              {sgd(account.data.balance_due)}
            </p>
            <p className="text-sm text-stone-700">As of {day(account.data.as_of)}</p>
            <table className="w-full text-left tabular-nums">
              <caption className="sr-only">Balance by days overdue</caption>
              <tbody>
                {AGEING.map(([key, label]) => (
                  <tr key={key} className="border-t border-stone-200">
                    <th scope="row" className="py-2 font-normal">
                      {label}
                    </th>
                    <td className="py-2 text-right">{sgd(account.data!.ageing[key])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          !account.error && <Loading />
        )}
      </Section>

      <ProblemNotice error={pdfError} testid="pdf-problem" />

      <Section id="invoices" title="Invoices">
        <ProblemNotice error={invoices.error} />
        {invoices.loading && !invoices.data && <Loading />}
        {invoices.data?.length === 0 && <p className="text-stone-700">No invoices yet.</p>}
        <ul className="space-y-4">
          {invoices.data?.map((inv) => (
            <InvoiceItem key={inv.id} invoice={inv} onPdf={() => void pdf(`/api/customer/invoices/${inv.id}/pdf/`, `${inv.number}.pdf`)} />
          ))}
        </ul>
      </Section>

      <Section id="credit-notes" title="Credit notes">
        <ProblemNotice error={credits.error} />
        {credits.data?.length === 0 && <p className="text-stone-700">No credit notes.</p>}
        <ul className="space-y-2">
          {credits.data?.map((cn) => {
            const inv = invoices.data?.find((i) => i.id === cn.invoice);
            return (
              <li key={cn.id} className="border-t border-stone-200 pt-2" data-testid="credit-note">
                <p className="font-semibold">
                  {cn.number} · {sgd(cn.total)}
                </p>
                <p className="text-sm text-stone-700">
                  {day(cn.issue_date)}
                  {inv ? ` · on ${inv.number}` : ''} · {cn.reason}
                </p>
                <Button variant="ghost" className="px-0 underline" data-testid="credit-note-pdf" onClick={() => void pdf(cn.pdf_url, `${cn.number}.pdf`)}>
                  {cn.number} (PDF)
                </Button>
                {inv && (
                  <Button variant="ghost" className="px-0 underline" onClick={() => void pdf(`/api/customer/invoices/${inv.id}/pdf/`, `${inv.number}.pdf`)}>
                    Invoice {inv.number} (PDF)
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      </Section>

      <Section id="payments" title="Payments received">
        <ProblemNotice error={payments.error} />
        {payments.data?.length === 0 && <p className="text-stone-700">No payments yet.</p>}
        <ul className="space-y-2">
          {payments.data?.map((p) => (
            <li key={p.id} className="flex justify-between gap-2 border-t border-stone-200 pt-2">
              <span>
                {day(p.received_at.slice(0, 10))} · {p.invoice_number} · {p.method.replace('_', ' ').toLowerCase()}
              </span>
              <span className="font-semibold tabular-nums">{sgd(p.amount)}</span>
            </li>
          ))}
        </ul>
      </Section>

      <StatementForm />

      <Section id="cylinders" title="Cylinders and deposits">
        <ProblemNotice error={cylinders.error} />
        {cylinders.data && (
          <>
            {cylinders.data.types.length === 0 && <p className="text-stone-700">No cylinders at your site.</p>}
            <table className="w-full text-left text-sm tabular-nums">
              <caption className="sr-only">Cylinders held and deposits by type</caption>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col" className="text-right">
                    Full
                  </th>
                  <th scope="col" className="text-right">
                    Empty
                  </th>
                  <th scope="col" className="text-right">
                    Deposit
                  </th>
                </tr>
              </thead>
              <tbody>
                {cylinders.data.types.map((t) => (
                  <tr key={t.cylinder_type} className="border-t border-stone-200" data-testid={`held-${t.cylinder_type}`} data-held={t.held} data-deposit-units={t.deposit_units}>
                    <th scope="row" className="py-2 font-normal">
                      {t.name}
                    </th>
                    <td className="py-2 text-right">{t.full}</td>
                    <td className="py-2 text-right">{t.empty}</td>
                    <td className="py-2 text-right">
                      {t.deposit_units} · {sgd(t.deposit_amount)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="font-semibold" data-testid="deposit-total">
              Deposits held: {sgd(cylinders.data.deposit_total)}
            </p>
            {cylinders.data.serials.length > 0 && (
              <>
                <h3 className="font-semibold">By serial number</h3>
                <ul className="text-sm">
                  {cylinders.data.serials.map((s) => (
                    <li key={s.serial_number} className="border-t border-stone-200 py-1">
                      {s.serial_number} · {s.name}
                      {s.since ? ` · since ${day(s.since.slice(0, 10))}` : ''}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </Section>

      <Section id="details" title="Your details">
        <p className="text-stone-700">
          {profile?.name} · {profile?.email}
          {profile?.phone ? ` · ${profile.phone}` : ''}
        </p>
        <p className="text-sm text-stone-700">To correct your name, e-mail or phone, ask the office.</p>
        <label className="flex min-h-11 items-center gap-3">
          <input
            type="checkbox"
            className="h-6 w-6"
            checked={emails ?? profile?.notify_orders ?? false}
            disabled={saving || !profile}
            data-testid="order-emails"
            onChange={async (e) => {
              const wanted = e.target.checked;
              setDetailsError(undefined);
              setEmails(wanted);
              setSaving(true);
              try {
                await setOrderEmails(wanted);
                await refreshProfile();
              } catch (err) {
                setDetailsError(err);
              } finally {
                setEmails(undefined);
                setSaving(false);
              }
            }}
          />
          <span>E-mail me when an order is received, planned and delivered</span>
        </label>
        <Button
          variant="secondary"
          className="w-full"
          data-testid="export-data"
          onClick={async () => {
            setDetailsError(undefined);
            try {
              await downloadPdf(EXPORT_PATH, 'my-data.json', 'application/json');
            } catch (err) {
              setDetailsError(err);
            }
          }}
        >
          Download my data
        </Button>
        <ProblemNotice error={detailsError} />
      </Section>

      <Button variant="secondary" className="w-full" onClick={() => void logout()} data-testid="sign-out">
        Sign out
      </Button>
    </Page>
  );
}

function InvoiceItem({ invoice: inv, onPdf }: { invoice: CustomerInvoice; onPdf: () => void }) {
  return (
    <li className="space-y-2 border-t border-stone-200 pt-3" data-testid="invoice" data-number={inv.number} data-due={inv.amount_due}>
      <div className="flex items-baseline justify-between gap-2">
        <p className="font-semibold">{inv.number}</p>
        <p className="font-semibold tabular-nums">{sgd(inv.total)}</p>
      </div>
      <p className="text-sm text-stone-700">
        {day(inv.issue_date)} · {STATUS[inv.status]}
        {Number(inv.amount_due) > 0 ? ` · due ${sgd(inv.amount_due)} by ${day(inv.due_date)}` : ''}
      </p>
      <Button variant="secondary" className="w-full" onClick={onPdf} data-testid="invoice-pdf">
        Download {inv.number} (PDF)
      </Button>
      {inv.paynow_payload && (
        <div className="rounded-xl border border-stone-300 p-3 text-center">
          <p className="mb-2 text-sm font-semibold">
            Pay {sgd(inv.amount_due)} with PayNow, reference {inv.number}
          </p>
          <PayNowQr payload={inv.paynow_payload} label={`PayNow QR code: ${sgd(inv.amount_due)} for invoice ${inv.number}`} />
        </div>
      )}
    </li>
  );
}

function StatementForm() {
  const today = singaporeDate(new Date());
  const [from, setFrom] = useState(`${addDays(today, -90).slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function download() {
    setBusy(true);
    setError(undefined);
    try {
      await downloadPdf(statementPath(from, to), `statement-${to}.pdf`);
    } catch (e) {
      setError(e); // e.g. a period over 370 days: the server's sentence on "to"
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section id="statement" title="Statement of account">
      <p className="text-sm text-stone-700">Any period of up to 370 days, as a PDF.</p>
      <div className="grid grid-cols-2 gap-3">
        <div>
          <label htmlFor="statement-from" className="mb-1 block font-semibold">
            From
          </label>
          <input id="statement-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} className="h-12 w-full rounded-xl border border-stone-400 bg-white px-2" />
        </div>
        <div>
          <label htmlFor="statement-to" className="mb-1 block font-semibold">
            To
          </label>
          <input id="statement-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} className="h-12 w-full rounded-xl border border-stone-400 bg-white px-2" />
        </div>
      </div>
      <ProblemNotice error={error} testid="statement-problem" />
      <Button variant="secondary" className="w-full" data-testid="statement-pdf" disabled={busy} onClick={() => void download()}>
        {busy ? 'Preparing…' : 'Download statement (PDF)'}
      </Button>
    </Section>
  );
}
