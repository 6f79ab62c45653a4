/** The Chinese names of the tiers, as the public lookup shows them (T-PUB). */

/** RULES.md: the source text is cut off where it names this label ("标注为。"), so it is a display setting. */
export const DEFAULT_UNCLASSIFIED_LABEL = '未分型';

/** The tiers a household can reach (policy/tiering.ts's Tier without `unclassified`; a leaf, so the rules can use it). */
type ReachedTier = 'survival' | 'growth' | 'development';

const TIER_LABELS: Readonly<Record<ReachedTier, string>> = {
  survival: '生存型',
  growth: '成长型',
  development: '发展型',
};

export function tierLabel(tier: string, unclassifiedLabel: string): string {
  return Object.hasOwn(TIER_LABELS, tier) ? TIER_LABELS[tier as keyof typeof TIER_LABELS] : unclassifiedLabel;
}

/** A tier as a sentence names it: the growth tiers in the glossary's quotes (“发展型”), the unclassified by its default label. */
export function quotedTierName(tier: ReachedTier | 'unclassified'): string {
  return tier === 'unclassified' ? DEFAULT_UNCLASSIFIED_LABEL : `“${TIER_LABELS[tier]}”`;
}
