import { z } from 'zod';
import { api, fetchAllPages } from '../../../lib/api-client';
import { useCachedQuery } from '../../../lib/cached-query';
import { DepotSchema, type Depot } from './schemas';

export async function getDepots(): Promise<Depot[]> {
  return z.array(DepotSchema).parse(await fetchAllPages(api, '/api/depots/'));
}

export const useDepots = () => useCachedQuery('depots', getDepots);
