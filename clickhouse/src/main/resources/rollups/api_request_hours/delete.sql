-- Removes the rollup's rows of one hour (a mutation; RollupCheck waits for it to finish).
ALTER TABLE api_request_hours DELETE WHERE hour = {bucket}
