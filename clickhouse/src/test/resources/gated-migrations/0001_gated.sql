-- Test migration proving version gates: the second statement needs a server newer than any that exists.
CREATE TABLE IF NOT EXISTS gated (x UInt8) ENGINE = TinyLog;
-- requires: 999.1
CREATE TABLE IF NOT EXISTS from_the_future (x UInt8) ENGINE = TinyLog;
-- requires: 18.1
CREATE TABLE IF NOT EXISTS from_the_past (x UInt8) ENGINE = TinyLog;
