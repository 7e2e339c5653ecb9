import { api, fetchAllPages } from '../../../lib/api-client';
import { useCachedQuery } from '../../../lib/cached-query';
import type { CylinderType } from '../../../api/types';

export const getCylinderTypes = (): Promise<CylinderType[]> => fetchAllPages(api, '/api/cylinder-types/');

export const useCylinderTypes = () => useCachedQuery('cylinder-types', getCylinderTypes);
