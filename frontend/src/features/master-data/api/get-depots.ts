import { api, fetchAllPages } from '../../../lib/api-client';
import { useCachedQuery } from '../../../lib/cached-query';
import type { Depot } from '../../../api/types';

export const getDepots = (): Promise<Depot[]> => fetchAllPages(api, '/api/depots/');

export const useDepots = () => useCachedQuery('depots', getDepots);
