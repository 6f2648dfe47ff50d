-- 070_amount_scale_6.sql — amounts held with six decimals (issue 13).
--
-- Why: real reports print fees in 万元 with six decimals (24252.311082), so
-- GK_AMOUNT_SCALE went from 10^4 to 10^6.  rollup.sums holds every cell's
-- sum as an integer of 1/GK_AMOUNT_SCALE unit; the amount cells summed
-- before this migration are at 1/10^4 and become 100 times larger.  Cell i
-- of each array is the format's flat cell i (registry order, lib/format.c),
-- PostgreSQL counting from 1: 2021 tables.active.fees.amount_10k_yuan is
-- cell 9 (element 10), 2019 tables.active.procurement.amount_yuan cell 21
-- (element 22).  Shards (020) are rows of the same table.  A sum that would
-- leave bigint fails the migration (bigint out of range), never wraps.
UPDATE rollup SET sums[10] = sums[10] * 100
 WHERE format = '2021' AND cardinality(sums) >= 10 AND sums[10] IS NOT NULL;
UPDATE rollup SET sums[22] = sums[22] * 100
 WHERE format = '2019' AND cardinality(sums) >= 22 AND sums[22] IS NOT NULL;
