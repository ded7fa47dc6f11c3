import { Injectable } from '@nestjs/common';
import { TransactionalConnection } from '@ruche/core';
import { METERS, PLAN_QUOTA_PROPERTY, type Meter } from '../plans/meters.js';

/** A stretch of days (`to` exclusive) an organisation spent on one plan at one monthly price. */
export interface PlanSpan {
  organizationId: string;
  planId: string;
  planCode: string;
  nameFr: string;
  nameEn: string;
  from: string;
  to: string;
  monthlyPriceCents: number;
}

/** An organisation's use of one meter over a period, from the daily samples. */
export interface PeriodUsage {
  organizationId: string;
  meter: Meter;
  /** The largest daily sample. */
  peak: number;
  /** The largest daily excess over what the plan in force that day includes (0 when always within). */
  peakAboveIncluded: number;
  daysSampled: number;
}

const snake = (property: string) => property.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
/** Each meter with what plan `p` includes of it, as rows (names come from METERS, never from input). */
const INCLUDED_ROWS = `VALUES ${METERS.map((meter) => `('${meter}', p.${snake(PLAN_QUOTA_PROPERTY[meter])})`).join(', ')}`;

/**
 * What billing reads from hosting, in bulk and without access checks (billing checks its
 * callers): plans and prices over a period, usage over a period, who was subscribed.
 * Periods are [from, to): `to` is exclusive.
 */
@Injectable()
export class BillingFactsService {
  constructor(private readonly db: TransactionalConnection) {}

  /** Organisations with a subscription overlapping the period, by id after `afterId`, at most `limit`. */
  async subscribedOrganizations(from: string, to: string, afterId: string | null, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ organization_id: string }>(
      `SELECT DISTINCT organization_id FROM subscriptions
        WHERE starts_on < $2 AND (ends_on IS NULL OR ends_on > $1) AND ($3::uuid IS NULL OR organization_id > $3)
        ORDER BY organization_id LIMIT $4`,
      [from, to, afterId, limit],
    );
    return rows.map((row) => row.organization_id);
  }

  async countSubscribedOrganizations(from: string, to: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(`SELECT count(DISTINCT organization_id)::int AS n FROM subscriptions WHERE starts_on < $2 AND (ends_on IS NULL OR ends_on > $1)`, [from, to]);
    return row?.n ?? 0;
  }

  /** Each organisation's plans over the period, split where the plan or its price changes, in order. */
  async planSpans(organizationIds: string[], from: string, to: string): Promise<PlanSpan[]> {
    const rows = await this.db.query<{ organization_id: string; plan_id: string; code: string; name_fr: string; name_en: string; span_from: string; span_to: string; monthly_price_cents: number }>(
      `SELECT * FROM (
         SELECT s.organization_id, p.id AS plan_id, p.code, p.name_fr, p.name_en, pp.monthly_price_cents,
                greatest(s.starts_on, $2::date, pp.effective_from)::text AS span_from,
                least(coalesce(s.ends_on, $3::date), $3::date, coalesce(pp.next_from, $3::date))::text AS span_to
           FROM subscriptions s
           JOIN plans p ON p.id = s.plan_id
           JOIN LATERAL (SELECT effective_from, monthly_price_cents, lead(effective_from) OVER (ORDER BY effective_from) AS next_from
                           FROM plan_prices WHERE plan_id = p.id) pp ON true
          WHERE s.organization_id = ANY($1::uuid[]) AND s.starts_on < $3 AND (s.ends_on IS NULL OR s.ends_on > $2)) spans
        WHERE span_from < span_to
        ORDER BY organization_id, span_from`,
      [organizationIds, from, to],
    );
    return rows.map((row) => ({
      organizationId: row.organization_id,
      planId: row.plan_id,
      planCode: row.code,
      nameFr: row.name_fr,
      nameEn: row.name_en,
      from: row.span_from,
      to: row.span_to,
      monthlyPriceCents: Number(row.monthly_price_cents),
    }));
  }

  /** Usage of an organisation over a period, per meter: peak, peak above what the plan includes, days sampled. */
  async periodUsage(organizationIds: string[], from: string, to: string): Promise<PeriodUsage[]> {
    // The samples first, by their index (joined directly, the planner scans the whole table);
    // then each against what the plan in force that day includes of its meter.
    const rows = await this.db.query<{ organization_id: string; meter: Meter; peak: string; peak_above: string; days: number }>(
      `WITH included AS (
         SELECT s.organization_id, greatest(s.starts_on, $2::date) AS from_day, least(coalesce(s.ends_on, $3::date), $3::date) AS to_day, m.meter, m.included
           FROM subscriptions s JOIN plans p ON p.id = s.plan_id CROSS JOIN LATERAL (${INCLUDED_ROWS}) m(meter, included)
          WHERE s.organization_id = ANY($1::uuid[]) AND s.starts_on < $3 AND (s.ends_on IS NULL OR s.ends_on > $2)),
       samples AS MATERIALIZED (
         SELECT organization_id, meter, day, quantity FROM usage_samples WHERE organization_id = ANY($1::uuid[]) AND day >= $2 AND day < $3)
       SELECT u.organization_id, u.meter, max(u.quantity) AS peak, max(greatest(u.quantity - coalesce(i.included, 0), 0)) AS peak_above, count(*)::int AS days
         FROM samples u LEFT JOIN included i ON i.organization_id = u.organization_id AND i.meter = u.meter AND i.from_day <= u.day AND i.to_day > u.day
        GROUP BY u.organization_id, u.meter
        ORDER BY u.organization_id, u.meter`,
      [organizationIds, from, to],
    );
    return rows.map((row) => ({ organizationId: row.organization_id, meter: row.meter, peak: Number(row.peak), peakAboveIncluded: Number(row.peak_above), daysSampled: row.days }));
  }
}
