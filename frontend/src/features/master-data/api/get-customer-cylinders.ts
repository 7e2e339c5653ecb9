import { api } from '../../../lib/api-client';
import { useCachedQuery } from '../../../lib/cached-query';
import type { CustomerCylinders } from '../../../api/types';

/** GET /api/customers/{id}/cylinders/: cylinders held and deposits per type (kept for offline). */
export const getCustomerCylinders = (id: number): Promise<CustomerCylinders> => api.get('/api/customers/{id}/cylinders/', { params: { id } });

export const useCustomerCylinders = (id: number | undefined) => useCachedQuery(id === undefined ? null : `customer-cylinders:${id}`, () => getCustomerCylinders(id!));
