-- Removes the rollup's rows of one UTC day (a mutation; RollupCheck waits for it to finish).
ALTER TABLE api_request_days DELETE WHERE day = toDate({bucket}, 'UTC')
