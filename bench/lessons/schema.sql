-- The seed lessons' stock table and its reservations: one row, one item.
CREATE TABLE items (id int PRIMARY KEY, qty bigint NOT NULL CHECK (qty >= 0));
CREATE TABLE reservations (
  id bigserial PRIMARY KEY,
  item_id int NOT NULL REFERENCES items (id),
  user_id text NOT NULL,
  qty int NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO items VALUES (1, 1000000000000);
