import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';

/**
 * Something the co-op sells besides plans: one-off items (set-up, domain registration),
 * metered extras (one per meter, billed above what the plan includes) and hourly services.
 */
@Entity('billing_items')
@Index('billing_items_code_key', ['code'], { unique: true })
@Index('billing_items_meter_key', ['meter'], { unique: true, where: `"meter" IS NOT NULL` })
@Check('billing_items_kind_check', `"kind" IN ('one_off', 'metered', 'hourly')`)
@Check('billing_items_meter_check', `("kind" = 'metered') = ("meter" IS NOT NULL)`)
@Check('billing_items_tax_code_check', `"tax_code" IN ('taxable', 'zero_rated', 'exempt')`)
export class BillingItem {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  nameFr!: string;

  @Column({ type: 'text' })
  nameEn!: string;

  @Column({ type: 'text' })
  kind!: 'one_off' | 'metered' | 'hourly';

  @Column({ type: 'text', nullable: true })
  meter!: string | null;

  @Column({ type: 'text' })
  taxCode!: 'taxable' | 'zero_rated' | 'exempt';

  /** The revenue account its sales go to. */
  @Column({ type: 'text' })
  accountCode!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;
}

/** An item's unit price from a day on. */
@Entity('billing_item_prices')
@Index('billing_item_prices_item_effective_key', ['itemId', 'effectiveFrom'], { unique: true })
@Check('billing_item_prices_price_check', `"unit_price" >= 0`)
export class BillingItemPrice {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  itemId!: string;

  @ManyToOne(() => BillingItem, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'item_id', foreignKeyConstraintName: 'billing_item_prices_item_fk' })
  item?: Relation<BillingItem>;

  @Column({ type: 'date' })
  effectiveFrom!: string;

  /** Dollars, four places (storage is billed by the MB). */
  @Column({ type: 'numeric', precision: 14, scale: 4 })
  unitPrice!: string;
}
