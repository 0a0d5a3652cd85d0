// The thresholds an application is checked against, in the order reviewers read them.

export const CHECK_ORDER = ["households", "one_per_community", "distance", "referral"] as const;

export interface CheckTag {
  key: string;
  ok: boolean;
  detail: string;
}

/** The API's `checks` as a list of tags: known checks first in a fixed order, any others after. */
export function checkTags(checks: Record<string, Record<string, unknown>> | null | undefined): CheckTag[] {
  if (!checks) return [];
  const keys = [
    ...CHECK_ORDER.filter((key) => key in checks),
    ...Object.keys(checks).filter((key) => !(CHECK_ORDER as readonly string[]).includes(key)),
  ];
  return keys.map((key) => ({ key, ok: Boolean(checks[key]?.ok), detail: String(checks[key]?.detail ?? "") }));
}

export function checksFailed(checks: Record<string, Record<string, unknown>> | null | undefined): number {
  return checkTags(checks).filter((tag) => !tag.ok).length;
}
