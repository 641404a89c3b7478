-- Two feeds joined: the share of transactions that failed, per payment method
-- (TRANSACTIONS_FAILED holds the failed ones, TRANSACTIONS_SECURE all of them).
-- java -jar target/camel-datalake.jar query --all --file examples/failure_rate_by_payment_method.sql
WITH all_tx AS (
    SELECT PAYMENT_METHOD, count(*) AS transactions FROM transactions_secure GROUP BY PAYMENT_METHOD
), failed AS (
    SELECT PAYMENT_METHOD, count(*) AS failed FROM transactions_failed GROUP BY PAYMENT_METHOD
)
SELECT all_tx.PAYMENT_METHOD AS payment_method,
       all_tx.transactions,
       coalesce(failed.failed, 0) AS failed,
       round(100.0 * coalesce(failed.failed, 0) / all_tx.transactions, 1) AS failed_pct
FROM all_tx LEFT JOIN failed USING (PAYMENT_METHOD)
ORDER BY failed_pct DESC, payment_method;
