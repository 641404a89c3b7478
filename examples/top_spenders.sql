-- Seed 004, analysis 2: the ten users who spent the most, in USD.
-- The seed's ksqlDB stream carried USER_ID_HASHED; the topic TRANSACTIONS_USD lands here with USER_ID.
-- java -jar target/camel-datalake.jar query --all --file examples/top_spenders.sql
SELECT USER_ID AS "user",
       round(sum(AMOUNT_USD), 2) AS total
FROM transactions_usd
GROUP BY "user"
ORDER BY total DESC, "user"
LIMIT 10;
