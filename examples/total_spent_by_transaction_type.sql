-- Seed 004, analysis 1: total spent per transaction type, in USD.
-- The seed ran it on SQLite over JSON text (json_extract(data, '$.AMOUNT_USD')); here every field is a column.
-- java -jar target/camel-datalake.jar query --all --file examples/total_spent_by_transaction_type.sql
SELECT TRANSACTION_TYPE AS transaction_type,
       round(sum(AMOUNT_USD), 2) AS total_spent_usd
FROM transactions_usd
GROUP BY transaction_type
ORDER BY total_spent_usd DESC;
