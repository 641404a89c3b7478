-- The gold SQL feed daily_revenue (feeds/active/daily_revenue.json): its current version, revenue per day and
-- currency. It is public, so no --all or --principal is needed.
-- java -jar target/camel-datalake.jar query --file examples/daily_revenue.sql
SELECT make_date(year, month, day) AS day, CURRENCY AS currency, revenue, transactions
FROM daily_revenue
ORDER BY day DESC, revenue DESC;
