package dev.pulse.flink.sink;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The at-least-once writer: encodes rows into a batch, sends the batch as one INSERT when it is
 * full or has waited {@code maxBatchDelay}, and at every checkpoint ({@link #flush}) sends and
 * awaits everything, so a checkpoint completes only once its rows are in ClickHouse.
 *
 * <p>Back-pressure: at most {@code maxInFlightBatches} INSERTs run at once (on the writer's own
 * sender threads); with that many in flight, a full batch makes {@link #write} wait for the oldest
 * one. The writer therefore holds at most (maxInFlightBatches + 1) batches, whatever the input
 * rate.
 *
 * <p>Threading: {@code write}, {@code flush}, timers and counters all run on the task's mailbox
 * thread; sender threads only run INSERTs and hand back their outcome through a Future.
 */
final class AtLeastOnceWriter<T> implements SinkWriter<T> {
  private static final Logger LOG = LoggerFactory.getLogger(AtLeastOnceWriter.class);

  private final ClickHouseSinkConfig config;
  private final RowEncoder<T> encoder;
  private final ProcessingTimeService time;
  private final SinkCounters counters;
  private final BatchTrigger trigger;
  private final ClickHouseConnection connection;
  private final ExecutorService senders;
  private final Deque<InFlight> inFlight = new ArrayDeque<>();
  private final String name;

  private EncodedBatch open;
  private long openedAt;
  private boolean timerPending;
  private boolean closed;

  private record InFlight(Future<Retrying.Outcome<Void>> future, int rows) {}

  AtLeastOnceWriter(
      ClickHouseSinkConfig config,
      RowEncoder<T> encoder,
      ProcessingTimeService time,
      SinkCounters counters,
      String name) {
    this.config = config;
    this.encoder = encoder;
    this.time = time;
    this.counters = counters;
    this.name = name;
    this.trigger =
        new BatchTrigger(config.batchSizeRows(), config.maxBatchBytes(), config.maxBatchDelay());
    this.connection = new ClickHouseConnection(config);
    this.senders =
        Executors.newFixedThreadPool(
            config.maxInFlightBatches(),
            r -> {
              Thread t = new Thread(r, name + "-sender");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void write(T element, Context context) throws IOException, InterruptedException {
    harvestCompleted();
    if (open == null) {
      open = new EncodedBatch(Math.min(config.maxBatchBytes(), 64 * 1024));
      openedAt = time.getCurrentProcessingTime();
      armTimer();
    }
    open.append(element, encoder, null, null);
    if (trigger.isFull(open.rows(), open.bytes())) {
      send();
    }
  }

  /**
   * Sends what is open and waits for every INSERT in flight: the checkpoint's promise that its rows
   * are stored.
   */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    if (open != null) {
      send();
    }
    while (!inFlight.isEmpty()) {
      awaitOldest();
    }
  }

  private void armTimer() {
    if (!timerPending) {
      timerPending = true;
      time.registerTimer(trigger.dueAt(openedAt), this::onTimer);
    }
  }

  /** The batch-age check; runs on the mailbox thread, so it never races {@link #write}. */
  private void onTimer(long now) throws IOException, InterruptedException {
    timerPending = false;
    if (closed || open == null) {
      return;
    }
    if (trigger.isDue(openedAt, now)) {
      harvestCompleted();
      send();
    } else {
      armTimer(); // the batch that was due was sent; this one opened later
    }
  }

  private void send() throws IOException, InterruptedException {
    EncodedBatch batch = open;
    open = null;
    while (inFlight.size() >= config.maxInFlightBatches()) {
      awaitOldest(); // back-pressure: the task thread waits here, upstream buffers fill, sources
      // slow down
    }
    String what = "INSERT of " + batch.rows() + " rows into " + config.qualifiedTable();
    inFlight.addLast(
        new InFlight(
            senders.submit(
                () ->
                    Retrying.run(
                        config.retryPolicy(),
                        what,
                        attempt -> {
                          connection.insert(batch);
                          return null;
                        })),
            batch.rows()));
  }

  private void harvestCompleted() throws IOException, InterruptedException {
    while (!inFlight.isEmpty() && inFlight.peekFirst().future().isDone()) {
      awaitOldest();
    }
  }

  private void awaitOldest() throws IOException, InterruptedException {
    InFlight oldest = inFlight.pollFirst();
    try {
      Retrying.Outcome<Void> outcome = oldest.future().get();
      counters.rowsWritten().inc(oldest.rows());
      counters.batchesWritten().inc();
      counters.retries().inc(outcome.retries());
    } catch (ExecutionException e) {
      // Failing the task is the safe answer: the rows are still in Kafka after the last checkpoint.
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause);
    }
  }

  @Override
  public void close() throws Exception {
    closed = true;
    // On cancel or failure nothing is awaited: whatever was not flushed at a checkpoint is replayed
    // from it.
    senders.shutdownNow();
    if (!senders.awaitTermination(10, TimeUnit.SECONDS)) {
      LOG.warn("{}: sender threads did not stop within 10 s", name);
    }
    connection.close();
  }
}
