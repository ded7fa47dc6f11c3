/** Cents as a decimal string with two places: 24720 → "247.20", -5 → "-0.05". */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

type Decimalized<T> = T extends Array<infer U>
  ? Array<Decimalized<U>>
  : T extends object
    ? { [K in keyof T as K extends `${infer Base}Cents` ? Base : K]: T[K] extends number ? (K extends `${string}Cents` ? string : T[K]) : Decimalized<T[K]> }
    : T;

/**
 * What the API answers: every `…Cents` number becomes the same name without the suffix, as a
 * decimal string ("247.20"), so no client ever parses money as a float.
 */
export function withDecimals<T>(value: T): Decimalized<T> {
  if (Array.isArray(value)) return value.map(withDecimals) as Decimalized<T>;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value as Decimalized<T>;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key.endsWith('Cents') && typeof field === 'number') out[key.slice(0, -5)] = centsToDecimal(field);
    else out[key] = withDecimals(field);
  }
  return out as Decimalized<T>;
}
