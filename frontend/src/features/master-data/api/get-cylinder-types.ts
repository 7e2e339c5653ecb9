import { z } from 'zod';
import { api, fetchAllPages } from '../../../lib/api-client';
import { useCachedQuery } from '../../../lib/cached-query';
import { CylinderTypeSchema, type CylinderType } from './schemas';

export async function getCylinderTypes(): Promise<CylinderType[]> {
  return z.array(CylinderTypeSchema).parse(await fetchAllPages(api, '/api/cylinder-types/'));
}

export const useCylinderTypes = () => useCachedQuery('cylinder-types', getCylinderTypes);
