-- api_requests_late.batch_id: the batch of the late-event sink that stored the row (empty for rows
-- stored before this column). A rollback to an older savepoint deletes the late rows of batches
-- committed after it, because the restored job judges those replayed events again and may count
-- them on time (flink-jobs README, "Rollback").
ALTER TABLE api_requests_late ADD COLUMN batch_id String DEFAULT '';
