import { Card } from '../../components/ui/card';
import { getAccount } from '../api/account';
import { getOrders, isOpen } from '../api/orders';
import { OrderCard } from '../components/order-card';
import { Loading, Page } from '../components/page';
import { ProblemNotice } from '../components/problem';
import { sgd } from '../format';
import { hrefOf } from '../router';
import { useSession } from '../session';
import { useLoad } from '../use-load';

export function HomeScreen() {
  const { profile } = useSession();
  const orders = useLoad(getOrders, [], { refreshOnReturn: true });
  const account = useLoad(getAccount, [], { refreshOnReturn: true });
  const open = orders.data?.filter(isOpen) ?? [];
  // the last few finished ones too, so "delivered" (with its invoice) shows after the truck has been
  const finished = orders.data?.filter((o) => !isOpen(o)).slice(0, 3) ?? [];
  const shown = [...open, ...finished];

  return (
    <Page title={profile?.customer.name ?? 'Home'} testid="home">
      <a href={hrefOf({ name: 'order' })} data-testid="order-gas" className="flex min-h-16 items-center justify-center rounded-2xl bg-amber-700 px-4 text-xl font-bold text-white shadow active:bg-amber-800">
        Order gas
      </a>

      <Card>
        <h2 className="text-lg font-bold">Balance due</h2>
        {account.error ? <ProblemNotice error={account.error} /> : null}
        {account.data ? (
          <p className="text-3xl font-bold tabular-nums" data-testid="home-balance">
            {sgd(account.data.balance_due)}
          </p>
        ) : (
          !account.error && <Loading />
        )}
        <a href={hrefOf({ name: 'account' })} className="inline-flex min-h-11 items-center font-semibold text-amber-800 underline">
          Invoices, payments and cylinders
        </a>
      </Card>

      <section aria-labelledby="orders-title" className="space-y-3">
        <h2 id="orders-title" className="text-lg font-bold">
          Your orders
        </h2>
        {orders.error ? <ProblemNotice error={orders.error} /> : null}
        {orders.loading && !orders.data ? <Loading /> : null}
        {orders.data && shown.length === 0 && <p className="text-stone-700">No orders yet.</p>}
        {shown.map((o) => (
          <OrderCard key={o.id} order={o} types={profile?.cylinder_types} />
        ))}
      </section>
    </Page>
  );
}
