import { useSession } from '../../session';

/** The USCC the signed-in household acts for (the household section is shown to households only). */
export function useHouseholdUscc(): string {
  const { actor } = useSession();
  return actor?.uscc ?? '';
}
