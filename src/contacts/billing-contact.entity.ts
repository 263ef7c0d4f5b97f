import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * One of an account's billing contacts. `position` runs 0..2 without gaps and is unique per account,
 * so the database itself refuses a fourth billing contact.
 */
@Entity({ name: "billing_contacts" })
@Index("IDX_billing_contacts_account_position", ["accountId", "position"], { unique: true })
@Index("IDX_billing_contacts_user", ["userId"])
export class BillingContact {
  @PrimaryColumn({ type: "varchar", length: 36 })
  accountId: string;

  @PrimaryColumn({ type: "varchar", length: 36 })
  userId: string;

  @Column({ type: "integer" })
  position: number;

  @Column()
  addedAt: Date;
}
