-- 0011: the server's own keys, shared by every node (a token one node issues
-- is checked by another). 'presession': the MAC key of the pre-session CSRF
-- tokens of the sign-in and activation forms. Made by the first node that
-- starts (random, hex), never shown.
CREATE TABLE server_key (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
