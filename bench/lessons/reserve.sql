-- pgbench script: the seed lessons' transaction, one conditional UPDATE
-- and one INSERT per request on the same row.
\set user random(1, 1000000000)
BEGIN;
UPDATE items SET qty = qty - 1 WHERE id = 1 AND qty >= 1;
INSERT INTO reservations (item_id, user_id, qty) VALUES (1, 'u' || :user, 1);
COMMIT;
