/** The "Expiration" choices of the new-token form, following the token policy (pure). */
import type { TokenPolicy } from '../config.js';

/** One option of the "Expiration" list; the form adds "On a date" (views/tokens.tsx). */
export interface ExpiryChoice {
  /** Days, or `never` for no expiry. */
  value: string;
  label: string;
  selected: boolean;
}

const PRESETS = [7, 30, 60, 90, 180, 365];

export function expiryChoices(policy: TokenPolicy, selected?: string): ExpiryChoice[] {
  const days = [...new Set([...PRESETS, policy.defaultLifetimeDays])]
    .filter((d) => d <= policy.maxLifetimeDays)
    .sort((a, b) => a - b);
  const pick = selected ?? String(policy.defaultLifetimeDays);
  const choices = days.map((d) => ({
    value: String(d),
    label: d === policy.defaultLifetimeDays ? `${d} days (default)` : `${d} days`,
    selected: String(d) === pick,
  }));
  if (policy.allowNoExpiry)
    choices.push({ value: 'never', label: 'No expiration', selected: pick === 'never' });
  return choices;
}

/** The form's value as the service's `expiresInDays`: a number, or null for no expiry. */
export function expiresInDaysOf(value: string | undefined): number | null | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'never') return null;
  return Number(value);
}
