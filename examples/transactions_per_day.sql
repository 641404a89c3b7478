-- Transactions and amount per event day and status. year, month and day are the partition folders
-- (year=/month=/day=): add e.g. WHERE year = 2025 AND month = 11 and DuckDB reads only those days' files
-- (EXPLAIN shows "File Filters" and "Scanning Files: n/total").
-- java -jar target/camel-datalake.jar query --all --file examples/transactions_per_day.sql
SELECT make_date(year, month, day) AS day,
       STATUS AS status,
       count(*) AS transactions,
       round(sum(AMOUNT), 2) AS amount
FROM transactions_secure
GROUP BY ALL
ORDER BY ALL;
