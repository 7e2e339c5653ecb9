import { useCachedQuery } from '../../../lib/cached-query';
import { COMPANY_KEY, fetchCompany } from './get-company';

export const useCompany = () => useCachedQuery(COMPANY_KEY, fetchCompany);
